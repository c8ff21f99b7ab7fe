# fitdoctor: two commands on a fresh clone.
#   make demo   set up .venv and run the main job: train the Keras tutorial network with
#               FitDoctor() and print its report
#   make test   set up .venv and run the whole suite: ruff, mypy, pytest
#
# The virtual environment is created with `python3 -m venv .venv` when missing and
# (re)installed with the tensorflow (Keras with TensorFlow's CPU build), jax, dev and plot
# extras, and a CPU build of PyTorch, whenever pyproject.toml or this file changes: the
# callback is tested on the TensorFlow, JAX and PyTorch backends of Keras.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.fitdoctor-installed

# A real Keras History (json.dump(history.history, f)) of the tutorial network (Dense 512 relu,
# softmax, RMSprop, batch 128, 10 epochs) trained on scikit-learn's digits (frozen corpus,
# see tests/data/histories/README.md).
DEMO_HISTORY ?= tests/data/histories/digits_tutorial_s0.json

.PHONY: demo analyze-demo test lint typecheck pytest bench install clean

demo: $(STAMP)
	TF_CPP_MIN_LOG_LEVEL=3 $(BIN)/fitdoctor demo

# Diagnose a recorded Keras History of the same network (no training, no keras import).
analyze-demo: $(STAMP)
	$(BIN)/fitdoctor analyze $(DEMO_HISTORY) --exit-zero

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_throughput.py

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# torch 2.13.0 is the CPU build this machine type keeps on disk (~20 s to install).
TORCH ?= torch==2.13.0

$(STAMP): pyproject.toml Makefile | $(BIN)/python
	$(BIN)/pip install -e '.[tensorflow,jax,dev,plot]' '$(TORCH)'
	touch $(STAMP)

clean:
	rm -rf build dist .pytest_cache .mypy_cache .ruff_cache
