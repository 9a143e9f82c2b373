package com.example;

import java.util.List;

/** A list of items with quantities and unit prices. */
public final class Inventory {
    public record Item(String name, int quantity, long unitCents) {}

    private final List<Item> items;

    public Inventory(List<Item> items) {
        this.items = List.copyOf(items);
    }

    public int count() {
        return items.stream().mapToInt(Item::quantity).sum();
    }

    public long totalCents() {
        return items.stream().mapToLong(i -> i.quantity() * i.unitCents()).sum();
    }
}
