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

execute:
	for nb in $(NB); do jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=python3 $$nb || exit 1; done

student:
	$(PY) -m energylab.student_version labs student

clean:
	rm -rf _build
