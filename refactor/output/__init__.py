"""What users read: unified diffs, reports (text, JSON, Markdown) and applying a printed patch."""
