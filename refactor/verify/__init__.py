"""`refactor verify`: build before and after with BuildKit and compare the images."""
