"""What a document means: its stages and the build state each instruction sees."""
