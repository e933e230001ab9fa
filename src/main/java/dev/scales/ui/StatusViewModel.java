package dev.scales.ui;

import dev.scales.core.device.Job;
import dev.scales.core.device.ProcessMemory;
import dev.scales.core.util.Bytes;
import java.util.function.LongSupplier;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/** The status bar's text: device, memory in use, running jobs. */
public final class StatusViewModel {
    private final ReadOnlyStringWrapper device = new ReadOnlyStringWrapper(this, "device", "device: starting…");
    private final ReadOnlyStringWrapper memory = new ReadOnlyStringWrapper(this, "memory", "");
    private final ReadOnlyStringWrapper jobs = new ReadOnlyStringWrapper(this, "jobs", "no jobs running");
    private final LongSupplier residentBytes;
    private String accounted = "";
    private long resident;
    private final javafx.collections.ObservableList<Job<?>> jobList = javafx.collections.FXCollections.observableArrayList();
    private final javafx.collections.ObservableList<Job<?>> jobListView =
            javafx.collections.FXCollections.unmodifiableObservableList(jobList);

    public StatusViewModel() {
        this(ProcessMemory::residentBytes);
    }

    StatusViewModel(LongSupplier residentBytes) {
        this.residentBytes = residentBytes;
        resident = residentBytes.getAsLong();
        showMemory();
    }

    /**
     * Samples the process's memory away from {@code ui}'s thread (it reads a file of the system's),
     * then shows it there; called periodically by the view.
     */
    public void refreshMemory(dev.scales.ui.common.UiThread ui) {
        ui.offThread(residentBytes::getAsLong, (bytes, e) -> {
            if (e == null) {
                resident = bytes;
                showMemory();
            }
        });
    }

    private void showMemory() {
        memory.set("memory " + Bytes.format(resident) + accounted);
    }

    /** The model manager's accounted memory per device (models and their adapters). */
    public void setAccounted(java.util.Map<String, Long> perDevice) {
        accounted = perDevice.isEmpty() ? "" : " · models: " + String.join(", ", perDevice.entrySet().stream()
                .map(e -> e.getKey() + " " + Bytes.format(e.getValue())).toList());
        showMemory();
    }

    /** Shows the model manager's queued and running jobs. */
    public void setJobs(java.util.List<Job<?>> now) {
        jobList.setAll(now);
        jobs.set(now.isEmpty() ? "no jobs running" : "jobs: " + now.get(0)
                + (now.size() > 1 ? " (+" + (now.size() - 1) + " more)" : ""));
    }

    /** The jobs queued or running, the running one first. */
    public javafx.collections.ObservableList<Job<?>> jobList() {
        return jobListView;
    }

    public void setDevice(String text) {
        device.set(text);
    }

    public ReadOnlyStringProperty deviceProperty() {
        return device.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty memoryProperty() {
        return memory.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty jobsProperty() {
        return jobs.getReadOnlyProperty();
    }
}
