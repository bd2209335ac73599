"""The detection training set: templates, the generator, and the generated JSON Lines."""
