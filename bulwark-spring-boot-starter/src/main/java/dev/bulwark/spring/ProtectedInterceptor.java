package dev.bulwark.spring;

import dev.bulwark.Infrastructure;
import dev.bulwark.Result;
import dev.bulwark.error.InfraError;
import dev.bulwark.error.InfraException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.ObjectMapper;

/**
 * The one interceptor behind {@link Protected}: runs the invocation through
 * {@code infra.executeProtected(key, caller, criticality, ...)} (or its asynchronous form), each attempt on a
 * fresh clone of the invocation so that interceptors inside this one run again for every retry.
 * Thread-safe.
 */
final class ProtectedInterceptor implements MethodInterceptor {

    private final Supplier<Infrastructure> infrastructure;
    private final Supplier<ObjectMapper> mapper;
    private final Supplier<String> requestCaller;
    /** Each method's plan, resolved once (empty: a method of a protected bean that is not itself protected). */
    private final Map<Method, java.util.Optional<ProtectedMethod>> plans = new ConcurrentHashMap<>();

    ProtectedInterceptor(Supplier<Infrastructure> infrastructure, Supplier<ObjectMapper> mapper, Supplier<String> requestCaller) {
        this.infrastructure = infrastructure;
        this.mapper = mapper;
        this.requestCaller = requestCaller;
    }

    @Override
    public Object invoke(MethodInvocation invocation) throws Throwable {
        Object target = invocation.getThis();
        Class<?> targetClass = target != null ? AopUtils.getTargetClass(target) : invocation.getMethod().getDeclaringClass();
        Method method = ClassUtils.getMostSpecificMethod(invocation.getMethod(), targetClass);
        ProtectedMethod plan = plans.computeIfAbsent(method, m -> java.util.Optional.ofNullable(ProtectedMethod.of(targetClass, m)))
                .orElse(null);
        if (plan == null) {
            return invocation.proceed();
        }
        Object[] args = invocation.getArguments();
        String caller = plan.callerIndex() >= 0 && args[plan.callerIndex()] != null ? args[plan.callerIndex()].toString()
                : requestCaller.get();
        Infrastructure infra = infrastructure.get();
        if (plan.async()) {
            CompletionStage<Result<Object>> stage = infra.executeProtectedAsync(plan.key(), caller, plan.criticality(), () -> {
                try {
                    @SuppressWarnings("unchecked")
                    CompletionStage<Object> attempt = (CompletionStage<Object>) attempt(invocation);
                    return attempt != null ? attempt : CompletableFuture.completedFuture(null);
                } catch (Throwable t) {
                    return CompletableFuture.failedFuture(t);
                }
            });
            return stage.toCompletableFuture().thenCompose(result -> {
                if (result instanceof Result.Ok<Object> ok) {
                    return CompletableFuture.completedFuture(convert(ok.value(), valueTypeOf(plan)));
                }
                InfraError error = ((Result.Err<Object>) result).error();
                if (plan.fallback() != null) {
                    try {
                        @SuppressWarnings("unchecked")
                        CompletionStage<Object> answered = (CompletionStage<Object>) callFallback(plan, target, args, error);
                        return answered;
                    } catch (Throwable t) {
                        return CompletableFuture.failedFuture(t);
                    }
                }
                return CompletableFuture.failedFuture(failure(error));
            });
        }
        Result<Object> result = infra.executeProtected(plan.key(), caller, plan.criticality(), () -> {
            try {
                return attempt(invocation);
            } catch (Exception | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new CompletionException(t);
            }
        });
        if (result instanceof Result.Ok<Object> ok) {
            return convert(ok.value(), plan.method().getGenericReturnType());
        }
        InfraError error = ((Result.Err<Object>) result).error();
        if (plan.fallback() != null) {
            return callFallback(plan, target, args, error);
        }
        throw failure(error);
    }

    private static Object attempt(MethodInvocation invocation) throws Throwable {
        if (invocation instanceof ProxyMethodInvocation proxy) {
            return proxy.invocableClone().proceed();
        }
        return invocation.proceed();
    }

    private static Object callFallback(ProtectedMethod plan, Object target, Object[] args, InfraError error) throws Throwable {
        Object[] fallbackArgs = args;
        if (plan.fallbackTakes() != null) {
            fallbackArgs = java.util.Arrays.copyOf(args, args.length + 1);
            Object received = plan.fallbackTakes() == InfraError.class ? error : failure(error);
            if (!plan.fallbackTakes().isInstance(received)) {
                throw failure(error);               // a fallback for IOException does not answer a rejection
            }
            fallbackArgs[args.length] = received;
        }
        try {
            return plan.fallback().invoke(target, fallbackArgs);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * What a failed call throws: the method's own exception when the method itself failed (also
     * once the retries are exhausted), else the error as an {@link InfraException} (a rejection: an
     * open breaker, a rate limit, a full bulkhead, a timeout).
     */
    static Throwable failure(InfraError error) {
        InfraError current = error;
        for (int depth = 0; depth < 8; depth++) {
            int code = current.code();
            Throwable cause = current.cause();
            if ((code == 7003 || code == 7004) && cause instanceof InfraException inner) {
                current = inner.error();
                continue;
            }
            if ((code == 5003 || code == 5012 || code == 6008) && cause != null && !(cause instanceof InfraException)) {
                return cause instanceof CompletionException c && c.getCause() != null ? c.getCause() : cause;
            }
            break;
        }
        return error.toException();
    }

    private static Type valueTypeOf(ProtectedMethod plan) {
        Type type = plan.method().getGenericReturnType();
        return type instanceof ParameterizedType p ? p.getActualTypeArguments()[0] : Object.class;
    }

    /** A fallback's static value (a string, number, map...) as the method's return type. */
    private Object convert(Object value, Type type) {
        if (value == null) {
            return null;
        }
        Class<?> raw = type instanceof Class<?> c ? c : type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        if (ClassUtils.resolvePrimitiveIfNecessary(raw).isInstance(value)) {
            return value;
        }
        ObjectMapper m = mapper.get();
        return m.convertValue(value, m.getTypeFactory().constructType(type));
    }
}
