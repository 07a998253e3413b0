"""Files: the safetensors model file and the saved_models folder."""
