# Convenience targets; README shows the plain commands they run.
PY ?= python
NB ?= chapters/*.ipynb labs/*.ipynb

.PHONY: install book test execute clean student

install:
	$(PY) -m pip install -r requirements.txt

book:
	jupyter-book build . -W -n --keep-going

test:
	pytest --nbval

# Fresh kernel per notebook, saved reproducibly (no timings, stable widget ids).
execute:
	$(PY) scripts/execute_notebooks.py $(NB)

student:
	$(PY) -m energylab.student_version labs student

clean:
	rm -rf _build
