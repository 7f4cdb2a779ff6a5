package io.hyphae.strategy.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LabelSelectorSyntaxTest {

    @Test
    void acceptsEqualityAndSetBasedRequirementsAndNormalisesThem() {
        assertThat(LabelSelectorSyntax.normalise("app=hyphae")).isEqualTo("app=hyphae");
        assertThat(LabelSelectorSyntax.normalise(" app == hyphae , tier!=db ")).isEqualTo("app=hyphae,tier!=db");
        assertThat(LabelSelectorSyntax.normalise("app=hyphae,tier in (a, b),env notin (dev),!legacy,app.kubernetes.io/part-of"))
                .isEqualTo("app=hyphae,tier in (a,b),env notin (dev),!legacy,app.kubernetes.io/part-of");
        assertThat(LabelSelectorSyntax.normalise("example.com/role=")).isEqualTo("example.com/role=");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "=hyphae", "app=hy phae", "app=hyphae,", "app in a,b", "tier in (a,b c)",
            "Example.com/app=x", "app=-bad", "app=hyphae;tier=a"})
    void refusesWhatTheApiServerWouldRefuse(String selector) {
        assertThatThrownBy(() -> LabelSelectorSyntax.normalise(selector))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requirement");
    }

    @Test
    void refusesALabelNameLongerThan63Characters() {
        assertThatThrownBy(() -> LabelSelectorSyntax.normalise("a".repeat(64) + "=x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
