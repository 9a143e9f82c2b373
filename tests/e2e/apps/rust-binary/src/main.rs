//! A command-line tool with no dependencies: word statistics and a Fibonacci check.
use std::collections::BTreeMap;
use std::env;

fn fib(n: u64) -> u64 {
    let (mut a, mut b) = (0u64, 1u64);
    for _ in 0..n {
        let next = a + b;
        a = b;
        b = next;
    }
    a
}

fn word_counts(text: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_lowercase()).or_insert(0) += 1;
    }
    counts
}

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let text = if args.is_empty() { "the quick brown fox jumps over the lazy dog".to_string() } else { args.join(" ") };
    let counts = word_counts(&text);
    println!("app {}: fib(30) = {}", env!("CARGO_PKG_VERSION"), fib(30));
    println!("app: {} distinct words, 'the' x{}", counts.len(), counts.get("the").copied().unwrap_or(0));
}
