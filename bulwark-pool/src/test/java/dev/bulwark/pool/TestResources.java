package dev.bulwark.pool;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** A resource factory for tests: resources with an id and an in-use flag, creation that can be made to fail. */
final class TestResources implements ResourceFactory<TestResources.Resource> {

    /** A resource: valid until told otherwise; {@link #inUse} is set by the test's callers while they hold it. */
    static final class Resource {
        final int id;
        final AtomicBoolean inUse = new AtomicBoolean();
        volatile boolean valid = true;
        volatile boolean destroyed;

        Resource(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "resource-" + id;
        }
    }

    final AtomicInteger creations = new AtomicInteger();
    final AtomicInteger validations = new AtomicInteger();
    final AtomicInteger destructions = new AtomicInteger();
    final List<Resource> made = Collections.synchronizedList(new ArrayList<>());
    volatile Exception failCreation;

    @Override
    public Resource create() throws Exception {
        creations.incrementAndGet();
        Exception failure = failCreation;
        if (failure != null) {
            throw failure;
        }
        Resource resource = new Resource(made.size() + 1);
        made.add(resource);
        return resource;
    }

    @Override
    public boolean validate(Resource resource) {
        validations.incrementAndGet();
        return resource.valid;
    }

    @Override
    public void destroy(Resource resource) {
        destructions.incrementAndGet();
        if (resource.destroyed) {
            throw new AssertionError(resource + " destroyed twice");
        }
        resource.destroyed = true;
    }
}
