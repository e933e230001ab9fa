package dev.scales.core.model.safetensors;

import dev.scales.core.ScalesException;

/** The element types a safetensors file may declare, with their sizes in bytes. */
public enum DType {
    F64(8), F32(4), F16(2), BF16(2), I64(8), I32(4), I16(2), I8(1), U8(1), BOOL(1);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloat() {
        return this == F64 || this == F32 || this == F16 || this == BF16;
    }

    /** The dtype named in a header, or an error naming the file and tensor. */
    public static DType parse(String name, String where) {
        try {
            return DType.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new ScalesException(where + ": unsupported dtype '" + name + "'");
        }
    }
}
