package dev.bulwark.spring;

import dev.bulwark.error.InfraError;
import dev.bulwark.pipeline.Criticality;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ClassUtils;

/**
 * What the interceptor needs to know about one {@link Protected} method, resolved and checked once
 * (at startup, for every bean): the key, whether it is asynchronous, the parameter naming the
 * caller, and the fallback method with how to call it.
 *
 * @param method        the protected method (of the target class)
 * @param key           the protection's key
 * @param async         whether it returns a {@link CompletionStage}
 * @param callerIndex   the index of the {@link CallerId} parameter, or -1
 * @param fallback      the fallback method, or null
 * @param fallbackTakes what the fallback's extra last parameter receives, or null when it has none
 * @param criticality   the calls' criticality, for a shed stage
 */
record ProtectedMethod(Method method, String key, boolean async, int callerIndex, Method fallback, Class<?> fallbackTakes,
                       Criticality criticality) {

    /**
     * The plan of {@code method} of {@code targetClass}, or null when it is not protected.
     *
     * @throws IllegalStateException naming the method and the expected signature when the fallback
     *                               method is missing or does not fit, or the method is not proxyable
     */
    static ProtectedMethod of(Class<?> targetClass, Method method) {
        Protected annotation = AnnotatedElementUtils.findMergedAnnotation(method, Protected.class);
        if (annotation == null) {
            annotation = AnnotatedElementUtils.findMergedAnnotation(targetClass, Protected.class);
        }
        if (annotation == null || method.isBridge() || method.isSynthetic() || method.getDeclaringClass() == Object.class) {
            return null;
        }
        String where = "@Protected(\"" + annotation.value() + "\") on " + describe(targetClass, method);
        if (annotation.value().isBlank()) {
            throw new IllegalStateException(where + ": the protection key must not be blank");
        }
        if (Modifier.isPrivate(method.getModifiers()) || Modifier.isFinal(method.getModifiers())
                || Modifier.isStatic(method.getModifiers())) {
            throw new IllegalStateException(where + ": a private, final or static method cannot be intercepted;"
                    + " make it a public (or protected) instance method");
        }
        boolean async = CompletionStage.class.isAssignableFrom(method.getReturnType());
        int caller = -1;
        for (int i = 0; i < method.getParameterCount(); i++) {
            if (method.getParameters()[i].isAnnotationPresent(CallerId.class)) {
                if (caller >= 0) {
                    throw new IllegalStateException(where + ": only one parameter may be @CallerId");
                }
                caller = i;
            }
        }
        Method fallback = null;
        Class<?> takes = null;
        String name = annotation.fallbackMethod();
        if (!name.isEmpty()) {
            Class<?>[] params = method.getParameterTypes();
            List<Method> sameName = new ArrayList<>();
            for (Class<?> c = targetClass; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Method m : c.getDeclaredMethods()) {
                    if (m.getName().equals(name) && !m.isBridge()) {
                        sameName.add(m);
                    }
                }
            }
            for (Method m : sameName) {
                Class<?>[] p = m.getParameterTypes();
                boolean returns = ClassUtils.isAssignable(method.getReturnType(), m.getReturnType());
                if (!returns || Modifier.isStatic(m.getModifiers())) {
                    continue;
                }
                if (Arrays.equals(p, params) && fallback == null) {
                    fallback = m;
                } else if (p.length == params.length + 1 && Arrays.equals(Arrays.copyOf(p, params.length), params)
                        && (p[params.length] == InfraError.class || Throwable.class.isAssignableFrom(p[params.length]))) {
                    fallback = m;
                    takes = p[params.length];
                    break;
                }
            }
            if (fallback == null) {
                String ret = method.getReturnType().getSimpleName();
                String args = Arrays.stream(params).map(Class::getSimpleName).collect(Collectors.joining(", "));
                String expected = ret + " " + name + "(" + args + ")' or '" + ret + " " + name + "(" + args
                        + (args.isEmpty() ? "" : ", ") + "InfraError error)";
                String found = sameName.isEmpty() ? "there is no method named " + name
                        : "found: " + sameName.stream().map(ProtectedMethod::signature).collect(Collectors.joining("; "));
                throw new IllegalStateException(where + " names fallbackMethod \"" + name + "\", which does not fit:"
                        + " expected '" + expected + "' (the last parameter may be any Throwable type instead of"
                        + " InfraError) in " + targetClass.getName() + "; " + found);
            }
            fallback.setAccessible(true);
        }
        return new ProtectedMethod(method, annotation.value(), async, caller, fallback, takes, annotation.criticality());
    }

    static String describe(Class<?> targetClass, Method method) {
        return targetClass.getName() + "." + method.getName() + "("
                + Arrays.stream(method.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }

    private static String signature(Method m) {
        return m.getReturnType().getSimpleName() + " " + m.getName() + "("
                + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(", ")) + ")";
    }
}
