"""Files: the safetensors model file and the saved_models folder.

`model_file` saves one model (`save_network`) and `model_reader` opens it (`load_network`,
`read_metadata`), checking a file with `header` (the safetensors layout) and `metadata` (the
nn_tui fields) before anything is built from it; `model_folder` is about names and the
saved_models/ folder (`model_path`, `suggest_name`, `list_models`).
"""
