package com.example;

import java.util.List;

/** Entry point: prints an inventory summary. */
public final class App {
    private App() {}

    public static void main(String[] args) {
        Inventory inventory = new Inventory(List.of(
                new Inventory.Item("widget", 3, 250),
                new Inventory.Item("gadget", 2, 1200)));
        System.out.println("inventory: " + inventory.count() + " items, total " + inventory.totalCents() + " cents");
        System.out.println("java " + System.getProperty("java.version"));
    }
}
