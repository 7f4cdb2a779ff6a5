package io.hyphae.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RpcCodecTest {

    record Point(int x, int y) {
    }

    @Test
    void utf8RoundTripsTextAndRefusesMalformedBytes() {
        RpcCodec<String> utf8 = RpcCodec.utf8();

        assertThat(utf8.decode(utf8.encode("héllo 名"))).isEqualTo("héllo 名");
        assertThatThrownBy(() -> utf8.decode(new byte[] {(byte) 0xC3, 0x28}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("UTF-8");
    }

    @Test
    void bytesPassThroughUntouched() {
        byte[] b = {1, 2, 3};
        assertThat(RpcCodec.bytes().decode(RpcCodec.bytes().encode(b))).isSameAs(b);
    }

    @Test
    void jsonRoundTripsARecordAndRefusesWhatIsNotOne() {
        JsonCodec<Point> json = JsonCodec.of(Point.class);

        assertThat(new String(json.encode(new Point(1, 2)), StandardCharsets.UTF_8)).isEqualTo("{\"x\":1,\"y\":2}");
        assertThat(json.decode("{\"x\":3,\"y\":4}".getBytes(StandardCharsets.UTF_8))).isEqualTo(new Point(3, 4));
        assertThatThrownBy(() -> json.decode("[1,2".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Point");
    }

    @Test
    void refusesHandlerNamesThatAreEmptyOrTooLong() {
        assertThatThrownBy(() -> Endpoint.of("", RpcCodec.utf8())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topic.of("x".repeat(256), RpcCodec.utf8())).isInstanceOf(IllegalArgumentException.class);
        assertThat(Topic.of("x".repeat(255), RpcCodec.utf8()).name()).hasSize(255);
    }
}
