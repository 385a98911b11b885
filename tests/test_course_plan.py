"""The instructors' ten-lecture plan (book/_data/course.yml) covers the six chapters."""
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent
PLAN = yaml.safe_load((ROOT / "book" / "_data" / "course.yml").read_text(encoding="utf-8"))["lectures"]


def test_ten_lectures_with_every_chapter_page_once():
    assert len(PLAN) == 10
    listed = Counter(p for lecture in PLAN for p in lecture["pages"] + lecture["optional"])
    pages = {p.relative_to(ROOT / "book").with_suffix("").as_posix()
             for p in (ROOT / "book").glob("ch[0-9]-*/[0-9][0-9]-*.ipynb") if not p.stem.endswith("exercises")}
    assert set(listed) == pages, f"missing: {sorted(pages - set(listed))}; unknown: {sorted(set(listed) - pages)}"
    assert [p for p, n in listed.items() if n > 1] == []
    assert all(lecture["pages"] for lecture in PLAN)


def test_every_homework_label_is_an_exercise_of_the_book():
    labels = set()
    for path in (ROOT / "book").glob("ch[0-9]-*/*-exercises.ipynb"):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            labels |= set(re.findall(r"^\(([\w-]+)\)=", "".join(cell["source"]), flags=re.M))
    for lecture in PLAN:
        assert lecture["homework"] and set(lecture["homework"]) <= labels, lecture["homework"]


def test_the_chapters_of_the_plan_come_in_book_order():
    chapters = [int(p[2]) for lecture in PLAN for p in lecture["pages"]]
    assert chapters == sorted(chapters) and set(chapters) == {1, 2, 3, 4, 5, 6}
