package dev.scales.core.model.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** {@code nn.ModuleList}: children named 0, 1, 2… */
public final class BlockList<B extends HfBlock> extends HfBlock {
    private final List<B> items = new ArrayList<>();

    public BlockList<B> add(B block) {
        child(Integer.toString(items.size()), block);
        items.add(block);
        return this;
    }

    public B get(int i) {
        return items.get(i);
    }

    public int size() {
        return items.size();
    }

    public List<B> items() {
        return Collections.unmodifiableList(items);
    }
}
