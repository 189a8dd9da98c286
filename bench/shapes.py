"""Course shapes for the benchmarks: the build bench's course ("lean") and a second, denser one ("dense").

The dense shape is what a rich MOOC looks like: long prose with inline markup in most sentences, nested lists,
a problem in every unit with feedback on every choice, several hints and an explanation (a multiple-choice or a
numerical question now and then), and a video in one unit of four with a transcript in the source language and
in each partner language (`course/static/transcripts/<video>-<locale>.srt`).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_bench import (  # noqa: E402 - the bench folder is not a package
    ADJECTIVES,
    ADJUNCTS,
    INLINE_MATH,
    SUBJECTS,
    TOPIC_WORDS,
    VERBS,
    CourseGenerator,
)

TRANSCRIPT_LOCALES = ["en", "it", "de", "hu", "sl", "sk", "pl"]
VIDEO_EVERY = 4  # a video in one unit of four
DENSE_COMPONENTS_PER_UNIT = 2 + 1 / VIDEO_EVERY


class DenseCourseGenerator(CourseGenerator):
    """Long paragraphs, dense inline markup, deeper lists, richer problems, videos with transcripts."""

    def __init__(self, components: int, seed: int = 20260202, bytes_per_unit: int = 3200):
        super().__init__(components, seed, bytes_per_unit)
        self.units = max(round(components / DENSE_COMPONENTS_PER_UNIT), 15)
        self.videos: list[str] = []

    def sentence(self, lesson, unit_index, notes) -> str:
        rng = self.rng
        text = super().sentence(lesson, unit_index, notes)
        # more inline markup: a second emphasis, a code span or a math span in most sentences
        r = rng.random()
        if r < 0.3:
            text = text[:-1] + f", with **{rng.choice(ADJECTIVES)}** *{rng.choice(TOPIC_WORDS)}* in mind."
        elif r < 0.45:
            text = text[:-1] + f" (`{rng.choice(TOPIC_WORDS).replace(' ', '-')}`)."
        elif r < 0.55:
            text = text[:-1] + f", so that {rng.choice(INLINE_MATH)} stays ***{rng.choice(ADJECTIVES)}***."
        return text

    def paragraph(self, lesson, unit_index, notes, lo=6, hi=11) -> str:
        return super().paragraph(lesson, unit_index, notes, lo, hi)

    def block(self, lesson, unit_index, notes) -> str:
        rng = self.rng
        if rng.random() < 0.15:  # a nested list, three levels deep
            lines = []
            for _ in range(rng.randint(2, 3)):
                lines.append(f"- {self.sentence(lesson, unit_index, notes)}")
                for _ in range(rng.randint(1, 3)):
                    lines.append(f"  1. {self.sentence(lesson, unit_index, notes)}")
                    if rng.random() < 0.5:
                        lines.append(f"     - {self.sentence(lesson, unit_index, notes)}")
            return "\n".join(lines)
        return super().block(lesson, unit_index, notes)

    def problem(self, lesson, unit_index) -> str:
        rng = self.rng
        topic = rng.choice(TOPIC_WORDS)
        r = rng.random()
        if r < 0.15:
            value = rng.randint(10, 400)
            lines = ["```problem", f"id: q-{unit_index + 1:02d}", f"title: Work out the {topic} figure",
                     "type: numerical", "prompt: |",
                     f"  A *{topic}* reaches {value * 2} people and half of them **complete** the programme.",
                     "  How many complete it?", f"answer: {value}", "tolerance: 1",
                     f"correct_feedback: Right, {value} of {value * 2}."]
        else:
            multiple = r < 0.35
            n_choices = rng.randint(4, 5)
            correct = set(rng.sample(range(n_choices), 2)) if multiple else {rng.randrange(n_choices)}
            lines = ["```problem", f"id: q-{unit_index + 1:02d}", f"title: Check your understanding of the {topic}",
                     f"type: {'multiple-choice' if multiple else 'single-choice'}", "prompt: |",
                     f"  Which statement{'s' if multiple else ''} best describe{'' if multiple else 's'} the role of "
                     f"a *{topic}* in a **{rng.choice(ADJECTIVES)}** project",
                     f"  that {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} {rng.choice(ADJUNCTS)}?",
                     "choices:"]
            for c in range(n_choices):
                lines.append(f"  - text: {rng.choice(SUBJECTS)} {rng.choice(VERBS)} the *{rng.choice(ADJECTIVES)}* "
                             f"{rng.choice(TOPIC_WORDS)} {rng.choice(ADJUNCTS)}.")
                if c in correct:
                    lines.append("    correct: true")
                    lines.append(f"    feedback: Yes. This is how the lesson describes the **{topic}**.")
                else:
                    lines.append("    feedback: |")
                    lines.append(f"      Not quite. Go back to the unit and look at how "
                                 f"{rng.choice(SUBJECTS).lower()}")
                    lines.append(f"      {rng.choice(VERBS)} the *{rng.choice(TOPIC_WORDS)}* {rng.choice(ADJUNCTS)}.")
            if rng.random() < 0.5:
                lines.append("shuffle: true")
        lines.append("hints:")
        for _ in range(rng.randint(2, 3)):
            lines.append(f"  - Think about *who* {rng.choice(VERBS)} the {rng.choice(TOPIC_WORDS)} and "
                         f"**when** {rng.choice(ADJUNCTS)}.")
        lines += ["explanation: |",
                  f"  The lesson explains that {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} the "
                  f"**{topic}** {rng.choice(ADJUNCTS)},",
                  f"  because a *{rng.choice(ADJECTIVES)}* {rng.choice(TOPIC_WORDS)} depends on it "
                  f"({rng.choice(INLINE_MATH)}).",
                  "```"]
        return "\n".join(lines)

    def lesson_text(self, lesson) -> str:
        text = super().lesson_text(lesson)
        # a video after the first paragraph of one unit in VIDEO_EVERY
        parts = text.split("\n## ")
        for k in range(1, len(parts)):
            if (k - 1) % VIDEO_EVERY:
                continue
            head, sep, rest = parts[k].partition("\n\n")
            para, sep2, tail = rest.partition("\n\n")
            vid = f"{lesson.id}-v{k:02d}"
            self.videos.append(vid)
            video = (f"```video\nid: {vid}\ntitle: \"{lesson.unit_titles[k - 1]}: a short film\"\n"
                     f"youtube: dQw4w9WgXcQ\ntranscripts:\n  en: transcripts/{vid}-en.srt\n```")
            parts[k] = head + sep + para + sep2 + video + "\n\n" + tail
        return "\n## ".join(parts)

    def write(self, root: Path) -> dict:
        shape = super().write(root)
        folder = root / "course" / "static" / "transcripts"
        folder.mkdir(parents=True)
        for vid in self.videos:
            for code in TRANSCRIPT_LOCALES:
                (folder / f"{vid}-{code}.srt").write_text(
                    f"1\n00:00:00,000 --> 00:00:04,000\n[{code}] {vid}\n", encoding="utf-8")
        shape.update(videos=len(self.videos), transcripts=len(self.videos) * len(TRANSCRIPT_LOCALES),
                     components_expected=2 * self.units + len(self.videos))
        return shape


SHAPES = {"lean": CourseGenerator, "dense": DenseCourseGenerator}
