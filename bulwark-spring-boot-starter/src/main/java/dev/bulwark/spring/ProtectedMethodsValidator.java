package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanInitializationException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.util.ReflectionUtils;

/**
 * Checks every {@link Protected} method when its bean is created (a fallback method that is missing
 * or does not fit fails the bean, naming the method and the signature expected) and, once every
 * singleton exists, that each key names a configured protection (else the start fails, naming the
 * nearest configured key).
 */
final class ProtectedMethodsValidator implements BeanPostProcessor, SmartInitializingSingleton {

    private final ObjectProvider<Infrastructure> infrastructure;
    private final Map<String, String> keysUsed = new ConcurrentHashMap<>();
    private final Set<Class<?>> checked = ConcurrentHashMap.newKeySet();

    ProtectedMethodsValidator(ObjectProvider<Infrastructure> infrastructure) {
        this.infrastructure = infrastructure;
    }

    @Override
    public Object postProcessBeforeInitialization(Object bean, String beanName) throws BeansException {
        Class<?> type = AopUtils.getTargetClass(bean);
        if (!checked.add(type)) {
            return bean;
        }
        List<Method> methods = new ArrayList<>();
        ReflectionUtils.doWithMethods(type, methods::add);
        for (Method m : methods) {
            ProtectedMethod plan;
            try {
                plan = ProtectedMethod.of(type, m);
            } catch (IllegalStateException e) {
                throw new BeanInitializationException("bean '" + beanName + "': " + e.getMessage());
            }
            if (plan != null) {
                keysUsed.putIfAbsent(plan.key(), "@Protected(\"" + plan.key() + "\") on " + ProtectedMethod.describe(type, m));
            }
        }
        return bean;
    }

    @Override
    public void afterSingletonsInstantiated() {
        if (keysUsed.isEmpty()) {
            return;
        }
        Infrastructure infra = infrastructure.getObject();
        List<String> configured = infra.protectionKeys();
        Map<String, String> missing = new LinkedHashMap<>();
        keysUsed.forEach((key, where) -> {
            if (!configured.contains(key)) {
                missing.put(key, where);
            }
        });
        if (!missing.isEmpty()) {
            StringBuilder sb = new StringBuilder();
            missing.forEach((key, where) -> {
                String nearest = dev.bulwark.config.tree.ConfigTrees.nearestName(key, configured);
                sb.append(sb.length() == 0 ? "" : "; ").append(where).append(": no protection is configured under '")
                        .append(key).append("'").append(nearest != null ? ": did you mean '" + nearest + "'?"
                                : configured.isEmpty() ? " (none is configured: add bulwark.protections." + key + ")"
                                : " (configured: " + String.join(", ", configured) + ")");
            });
            throw new IllegalStateException(sb.toString());
        }
    }
}
