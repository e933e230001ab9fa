package dev.scales.core.model.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.scales.core.ScalesException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsHeaderTest {
    @TempDir
    Path dir;

    /** A file with the given JSON header followed by {@code dataBytes} zero bytes. */
    private Path file(String header, int dataBytes) throws Exception {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(json.length).put(json);
        Path f = dir.resolve("model.safetensors");
        Files.write(f, buf.array());
        return f;
    }

    @Test
    void readsTensorsInOrderWithTheirDtypesShapesAndRanges() throws Exception {
        Path f = file("{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
                + "\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[24,32]}}", 32);

        SafetensorsHeader h = SafetensorsHeader.read(f);

        assertThat(h.tensors().keySet()).containsExactly("b", "a");
        assertThat(h.tensors().get("b").shape()).containsExactly(2, 3);
        assertThat(h.tensors().get("a").dtype()).isEqualTo(DType.F16);
        assertThat(h.metadata()).containsEntry("format", "pt");
        assertThat(h.parameterCount()).isEqualTo(10);
        assertThat(h.dataStart()).isEqualTo(8 + Files.size(f) - 8 - 32);
    }

    @Test
    void aFileShorterThanTheLengthFieldIsTruncated() throws Exception {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("short.safetensors").hasMessageContaining("truncated");
    }

    @Test
    void aHeaderLengthBeyondTheFileIsCorrupt() throws Exception {
        Path f = dir.resolve("big.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).array());

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("header length 1000000 goes beyond the end of the file (16 bytes)");
    }

    @Test
    void invalidJsonIsCorrupt() throws Exception {
        Path f = file("{\"a\": {\"dtype\": ", 0);

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("invalid JSON");
    }

    @Test
    void offsetsBeyondTheDataAreOutOfRange() throws Exception {
        Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8);

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("tensor 'w'").hasMessageContaining("out of range");
    }

    @Test
    void aShapeThatDisagreesWithTheByteCountIsAnError() throws Exception {
        Path f = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", 16);

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("tensor 'w'").hasMessageContaining("needs 12 bytes but its data offsets span 16");
    }

    @Test
    void anUnknownDtypeIsNamed() throws Exception {
        Path f = file("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1);

        assertThatThrownBy(() -> SafetensorsHeader.read(f)).isInstanceOf(ScalesException.class)
                .hasMessageContaining("unsupported dtype 'F8_E4M3'");
    }
}
