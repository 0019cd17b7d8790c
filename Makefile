# Convenience targets; README shows the plain commands they run.
PY ?= python
NB ?= chapters/*.ipynb labs/*.ipynb

.PHONY: install book test execute clean student bank pdf slides figures release

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

bank:
	$(PY) -m energylab.bank --out bank

# Lecture materials and the release (see reference/instructors.md, CHANGELOG.md).
VERSION = $(shell $(PY) -c "import energylab; print(energylab.__version__)")
NAME = watts-per-thought-$(VERSION)
TAR = tar --sort=name --mtime='2026-01-01 00:00Z' --owner=0 --group=0 --numeric-owner -czf

pdf:
	$(PY) scripts/lecture.py pdf --out release/$(NAME).pdf

slides:
	$(PY) scripts/lecture.py slides --out release/$(NAME)-slides

figures:
	$(PY) scripts/lecture.py figures --out release/$(NAME)-figures

# The book's HTML, the PDF, the student copies, the slides, the figure pack and the
# energylab wheel, each archived, with SHA-256 checksums. Offline once installed.
release:
	rm -rf release && mkdir -p release
	jupyter-book build . -W -n --keep-going
	$(MAKE) pdf slides figures
	$(PY) -m energylab.student_version labs release/$(NAME)-student-labs
	cp requirements-student.txt release/$(NAME)-student-labs/
	$(PY) -m pip wheel --no-deps --wheel-dir release .
	$(TAR) release/$(NAME)-html.tar.gz -C _build html
	cd release && for d in $(NAME)-student-labs $(NAME)-slides $(NAME)-figures; do \
	  $(TAR) $$d.tar.gz $$d && rm -rf $$d; done
	cd release && sha256sum *.tar.gz *.pdf *.whl > SHA256SUMS && cat SHA256SUMS

clean:
	rm -rf _build release
