package dev.bulwark.harness;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every public entry point of core's exported packages, found by reflection: the packages that
 * module-info exports, every public class in them (nested ones too), and their public
 * constructors, static methods and instance methods. A new public method is covered the next time
 * the harness runs, without editing it.
 */
final class EntryPoints {

    private EntryPoints() {
    }

    /** Methods every object has, or that only return what the object holds. */
    private static final Set<String> SKIPPED = Set.of("equals", "hashCode", "toString", "getClass", "notify", "notifyAll",
            "wait", "values", "valueOf", "compareTo", "describeConstable", "name", "ordinal", "getDeclaringClass");

    static List<String> exportedPackages() throws IOException {
        String moduleInfo = Files.readString(Path.of("src", "main", "java", "module-info.java"));
        List<String> packages = new ArrayList<>();
        Matcher m = Pattern.compile("exports\\s+([\\w.]+)\\s*;").matcher(moduleInfo);
        while (m.find()) {
            packages.add(m.group(1));
        }
        return packages;
    }

    static List<Class<?>> publicClasses() throws IOException {
        List<Class<?>> classes = new ArrayList<>();
        for (String pkg : exportedPackages()) {
            Path dir = Path.of("target", "classes").resolve(pkg.replace('.', '/'));
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                    String name = file.getFileName().toString();
                    if (!name.endsWith(".class") || name.equals("package-info.class") || name.matches(".*\\$\\d+.*")) {
                        continue;
                    }
                    Class<?> c = load(pkg + "." + name.substring(0, name.length() - ".class".length()));
                    if (c != null && isPublic(c) && !c.isSynthetic() && !c.isAnonymousClass()) {
                        classes.add(c);
                    }
                }
            }
        }
        classes.sort(Comparator.comparing(Class::getName));
        return classes;
    }

    private static boolean isPublic(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, EntryPoints.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    /** The public constructors, static methods and instance methods of {@code type}. */
    static List<Executable> of(Class<?> type) {
        List<Executable> out = new ArrayList<>();
        if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers()) && !type.isEnum() && !type.isRecord()) {
            for (Constructor<?> c : type.getConstructors()) {
                out.add(c);
            }
        }
        for (Method m : type.getDeclaredMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && Modifier.isPublic(m.getModifiers()) && !m.isSynthetic()
                    && !SKIPPED.contains(m.getName())) {
                out.add(m);
            }
        }
        if (!type.isInterface() && !Modifier.isAbstract(type.getModifiers())) {
            for (Method m : type.getMethods()) {   // public instance methods, inherited defaults included
                if (Modifier.isStatic(m.getModifiers()) || m.isSynthetic() || m.isBridge() || SKIPPED.contains(m.getName())
                        || !m.getDeclaringClass().getName().startsWith("dev.bulwark")) {
                    continue;
                }
                if (type.isRecord() && m.getParameterCount() == 0) {
                    continue;   // a record's accessors return what it holds
                }
                out.add(m);
            }
        }
        out.sort(Comparator.comparing(Executable::toGenericString));
        return out;
    }
}
