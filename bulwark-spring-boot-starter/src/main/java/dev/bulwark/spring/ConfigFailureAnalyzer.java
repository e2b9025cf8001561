package dev.bulwark.spring;

import dev.bulwark.config.ConfigException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a rejected {@code bulwark.*} configuration as Spring Boot's start-up failure report: every problem, one per line. */
public class ConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigException cause) {
        return new FailureAnalysis("The Bulwark configuration (bulwark.*) is invalid:\n" + cause.getMessage(),
                "Correct the properties named above; every setting is described on docs/config.md.", cause);
    }
}
