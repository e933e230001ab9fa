package dev.scales.ui.model;

import dev.scales.core.device.DeviceInfo;

/** An entry of the device menu: Auto, or one device. */
public record DeviceChoice(String id, String label) {
    public static final DeviceChoice AUTO = new DeviceChoice("auto", "Auto");

    public static DeviceChoice of(DeviceInfo d) {
        return new DeviceChoice(d.id(), d.name());
    }

    @Override
    public String toString() {
        return label;
    }
}
