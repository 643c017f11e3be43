"""Synthetic articles for the benchmark (`make bench`, tools/bench.py).

    python tools/benchgen.py /tmp/site --n 100 --seed 1

Writes `<dest>/content/`: a copy of the real content/ (taxonomy, clinic data,
pages and the real articles) plus N generated articles, half conditions and
half procedures, that pass the site's own checks. Each generated article is
named after a generated term, which is added (with a label, a description and
synonyms) to the copied taxonomy.yaml. Every article has the required `##`
sections in order, lists, a table, `{filename}` links to other generated
pages, and 600 to 900 words of plain text (reading grade at or below the
site's target, so the build reports no problems). A procedure's `Treats:` line
names generated conditions. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from clinic.model.rules import language_of  # noqa: E402

WORD = re.compile(r"[A-Za-z0-9']+")
WORDS_MIN, WORDS_MAX = 600, 900

# --- names of generated topics -------------------------------------------------
# Plain words only: the readability check (grade 8) reads titles too.
COND_PREFIX = ["Inner", "Outer", "Front", "Back", "Deep", "Top", "Lower", "Upper", "Middle", "Side",
               "Mild", "Long-term", "Sudden", "Small", "Worn"]
PLACE = ["heel", "toe", "arch", "ankle", "sole", "instep", "tendon", "joint", "nail", "big toe", "shin", "calf"]
PROBLEM = ["strain", "sprain", "swelling", "bruise", "spur", "cyst", "stiffness", "bursitis", "tear",
           "pinch", "cramp", "ache", "lump", "rub"]
PROC_APPROACH = ["Open", "Keyhole", "Small-cut", "Two-stage", "Day-case", "Quick", "Staged", "Guided",
                 "Simple", "Full", "Partial", "Double"]
TECHNIQUE = ["repair", "release", "fusion", "realignment", "rebuild", "clean-out", "lengthening",
             "shortening", "fixing", "removal", "transfer", "support"]
PUBLISHERS = ["NHS inform", "Foot Health Trust", "Bone and Joint Society", "City Hospital Patient Leaflets",
              "Family Doctor Guide", "Sports Injury Clinic Notes", "Walking Well Foundation", "Health Library"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass
class Topic:
    slug: str
    label: str
    description: str
    synonyms: list[str]
    place: str
    kind: str  # condition or procedure
    treats: list[str] = field(default_factory=list)  # procedures: condition slugs
    treated_by: list[str] = field(default_factory=list)  # conditions: procedure slugs


def unique_labels(combos, count: int, taken: set[str]):
    """(parts, label, slug) for `count` new topics, cycling through the word
    combinations and numbering the rounds after the first."""
    made = 0
    for round_no in itertools.count(1):
        for parts in combos:
            if made == count:
                return
            label = " ".join(parts) + (f", type {round_no}" if round_no > 1 else "")
            slug = slugify(label)
            if slug in taken:
                continue
            taken.add(slug)
            made += 1
            yield parts, label, slug


def condition_names(count: int, rng: random.Random, taken: set[str]) -> list[Topic]:
    combos = list(itertools.product(COND_PREFIX, PLACE, PROBLEM))
    rng.shuffle(combos)
    out = []
    for (prefix, place, problem), label, slug in unique_labels(combos, count, taken):
        synonyms = [f"{problem} of the {place}", f"{place} {problem}"]
        if rng.random() < 0.5:
            synonyms.append(f"{prefix.lower()} {place} pain")
        out.append(Topic(slug, label, f"A {problem} in the {place} area that can make walking sore.",
                         synonyms, place, "condition"))
    return out


def procedure_names(count: int, rng: random.Random, taken: set[str]) -> list[Topic]:
    combos = list(itertools.product(PROC_APPROACH, PLACE, TECHNIQUE))
    rng.shuffle(combos)
    out = []
    for (approach, place, technique), label, slug in unique_labels(combos, count, taken):
        synonyms = [f"{place} {technique} surgery", f"{technique} of the {place}"]
        out.append(Topic(slug, label, f"An operation on the {place} to ease pain and help you walk.",
                         synonyms, place, "procedure"))
    return out


# --- text -------------------------------------------------------------------------
# Short sentences and common words, so every page reads at grade 8 or below.
# Fields: {name} the topic's name (lower case), {place}, {sym}, {sym2}, {region}.

CONDITION = {
    "Overview": [
        "{Name} is a common problem in the {region}.",
        "It happens when the tissue in the {place} gets sore and tired.",
        "Many people notice it after a long walk or a busy day on their feet.",
        "It can affect one foot or both feet.",
        "It is not usually serious, but it can stop you doing the things you enjoy.",
        "Doctors often call it by other names too.",
        "Most people get better with simple care at home.",
        "It can come and go over many months.",
        "The pain is often worst at the end of the day.",
        "Some people have it for years and only notice it now and then.",
        "It is more common as we get older.",
        "People who stand at work for many hours get it more often.",
    ],
    "Symptoms": [
        "The signs can be mild at first.",
        "They often get worse if you keep doing the thing that caused them.",
        "Some people only feel it in certain shoes.",
        "Tell your doctor about every sign you notice, even small ones.",
        "The signs may be worse in the morning or after rest.",
    ],
    "Causes": [
        "Doctors do not always know why it starts.",
        "These things seem to play a part:",
    ],
    "Diagnosis": [
        "A doctor or foot specialist can often tell what is wrong by looking at your foot.",
        "They will ask when the pain started and what makes it worse.",
        "They may press on the {place} to find the sore spot.",
        "They may watch you walk and look at your shoes.",
        "You may need an X-ray or a scan.",
        "A scan shows the soft parts of the foot, like tendons.",
        "Tests can rule out other causes of pain.",
        "Most people do not need any blood tests.",
    ],
    "Non-surgical treatment": [
        "Most people get better without an operation.",
        "It can take a few weeks or months to feel a real change.",
        "Keep going with the care that helps, even when the pain eases.",
        "Our clinic may also suggest:",
    ],
    "Surgical options": [
        "Surgery is only an option when other care has not helped.",
        "It is meant to ease pain, not to change how your foot looks.",
        "Your surgeon will pick the right operation for your foot.",
        "Like all operations, surgery on the {place} has some risks.",
        "Talk them over with your surgeon before you decide.",
        "Most people go home on the same day.",
    ],
    "Recovery": [
        "Recovery depends on how bad the problem is and on your general health.",
        "Most people are back to normal in a few weeks.",
        "Take it slowly at first and build up your walking bit by bit.",
        "This is a rough guide only:",
    ],
}
CONDITION_FILLER = [
    "Keep a note of what makes the pain better or worse.",
    "Good shoes with a soft sole can help a lot.",
    "Try to stay at a healthy weight, since extra weight puts more load on your feet.",
    "Gentle walking is fine as long as the pain does not get worse.",
    "Ask your doctor or pharmacist which pain medicine is safe for you.",
    "Rest the foot when it is sore, but do not stop moving for long.",
    "Some people find a cold pack helps after a long day.",
    "Wear shoes that fit well and do not press on the sore spot.",
    "Stretch your calf and foot each day.",
    "Most people can keep working while they get better.",
    "If the pain keeps you awake at night, tell your doctor.",
    "Your family doctor can refer you to a foot specialist.",
    "Bring your usual shoes to your visit, since they can give clues.",
    "It is normal to have good days and bad days.",
    "Small changes to your routine can make a big change to the pain.",
    "Try not to walk barefoot on hard floors.",
    "Some people with {name} find that a softer insole takes the edge off the pain.",
    "A short rest in the middle of the day can ease the load on the {place}.",
    "Check your feet each day for red marks, blisters or cuts.",
    "Change your socks each day and keep your feet dry.",
    "Swap long runs for swimming or cycling for a while.",
    "A warm bath in the evening can ease stiff muscles.",
    "Pain that lasts more than a few weeks is worth a check.",
    "Write down your questions before you see the doctor.",
    "Your foot will often tell you when you have done too much.",
    "Build up slowly when you go back to sport.",
]
SYMPTOM_ITEMS = [
    "pain in the {place} when you walk or stand",
    "{sym}",
    "{sym2}",
    "a sore spot that hurts when you press it",
    "pain that is worse after rest",
    "swelling or warmth around the {place}",
    "trouble finding shoes that fit",
    "a dull ache at the end of the day",
    "pain that eases once you get moving",
]
CAUSE_ITEMS = [
    "**Shoes.** Tight or hard shoes can press on the {place}.",
    "**Too much, too soon.** A sudden jump in walking or sport can strain the foot.",
    "**Your family.** The shape of your feet can run in families.",
    "**Age.** The tissues in the foot get less stretchy as we get older.",
    "**Weight.** Extra weight puts more load on your feet.",
    "**Work.** Standing on hard floors all day adds strain.",
    "**An old injury.** A past sprain can leave the {place} weak.",
]
CARE_ITEMS = [
    "**Rest.** Cut back on long walks and sport for a while.",
    "**Ice.** Hold a cold pack on the sore spot for 10 minutes, 2 or 3 times a day.",
    "**Roomy shoes.** Choose shoes with a soft sole and plenty of room.",
    "**Exercises.** Gentle stretches can ease the pain and help you move.",
    "**Pads.** A soft pad can stop your shoe from rubbing.",
    "**Medicine** to ease pain and swelling",
    "**Shoe inserts** made to fit your feet",
    "**Physical therapy**, which uses exercise and hands-on care",
]
DIAGNOSIS_TABLE = [
    ("Looking at your foot", "Where it is sore and how it moves"),
    ("X-ray", "The shape of the bones"),
    ("Scan", "The tendons and other soft parts"),
    ("Watching you walk", "How your foot takes your weight"),
    ("Checking your shoes", "Where they press or wear down"),
]
RECOVERY_TABLE = [
    ("First week", "Rest the foot and use ice to ease the pain."),
    ("2 to 4 weeks", "Start gentle walks and stretches."),
    ("1 to 3 months", "Most people feel much better."),
    ("3 to 6 months", "Go back to sport bit by bit."),
    ("6 months or more", "Some stiffness may last this long."),
]
HELP_NON_URGENT = [
    "the pain is not better after a few weeks of home care",
    "the pain stops you walking or doing your usual things",
    "you cannot find shoes that fit",
    "the pain keeps coming back",
]
HELP_URGENT = [
    "the skin over the sore spot breaks open, leaks, or turns red and hot",
    "you have diabetes and notice any new sore or swelling on your foot",
    "you cannot put any weight on your foot",
]
HELP_EMERGENCY = [
    "your foot turns cold, pale or blue",
    "you have a high fever and your foot is red and swollen",
]

PROCEDURE = {
    "What it is": [
        "{Name} is an operation on the {place}.",
        "The aim is to ease pain and help the foot work better.",
        "The surgeon makes a cut and fixes the part that is causing the pain.",
        "There are a few ways to do it, and your surgeon will pick the best one for you.",
        "Small screws or pins may hold the bone while it heals.",
        "Most people have it as a day case.",
    ],
    "Who it helps": [
        "Surgery is usually an option only when other care has not helped.",
        "Your surgeon may talk about it if:",
    ],
    "Before surgery": [
        "Your surgeon will tell you how to get ready.",
        "You will be asked about all the medicines you take.",
        "You may need to stop some of them for a while.",
        "You will be told when to stop eating and drinking.",
        "If you smoke, try to stop, since smoking slows healing.",
        "Get your home ready, since you may be on crutches at first.",
        "Plan for someone to stay with you for the first day.",
    ],
    "During surgery": [
        "Most people have medicine that numbs the foot, so they feel no pain.",
        "Some people are put to sleep instead.",
        "The operation often takes about an hour.",
        "The surgeon makes a small cut near the {place}.",
        "They fix the problem and close the cut with stitches.",
        "Your foot is then wrapped in a bandage.",
    ],
    "After surgery": [
        "Your foot will be swollen and sore for a while.",
        "Raise your foot on pillows when you sit or lie down.",
        "Take your pain medicine the way your doctor tells you.",
        "Keep the bandage clean and dry until it comes off.",
        "You may wear a special shoe or boot for a few weeks.",
        "Ask your surgeon before you put weight on your foot.",
        "A physical therapist will teach you exercises.",
    ],
    "Risks": [
        "Most people feel less pain once they have healed.",
        "But like any operation, it has risks. These include:",
    ],
    "Recovery timeline": [
        "Recovery is different for each person.",
        "This is a rough guide only.",
    ],
}
PROCEDURE_FILLER = [
    "Ask your surgeon any questions you have before the day.",
    "Write down what you want to ask, so you do not forget.",
    "Most people are glad they had the operation once they have healed.",
    "It can take a few months before you feel the full benefit.",
    "Your care team will tell you what to expect at each step.",
    "Keep all your follow-up visits, even if you feel well.",
    "Gentle exercise helps the foot heal and keeps it strong.",
    "Call your surgeon's office on {{clinic_phone}} if something does not seem right.",
    "Plan time off work, since you will need to rest.",
    "Do not drive until your surgeon says it is safe.",
    "Eat well and drink plenty of water while you heal.",
    "Swelling can last for months, and this is normal.",
    "Most people with a {place} operation sleep better once the pain has gone.",
    "Ask a friend or family member to help with shopping for the first weeks.",
    "Keep your foot up as much as you can in the first days.",
    "Wear loose clothes that are easy to put on over a bandage.",
    "Put a chair in the shower, or wash sitting down.",
    "Store food and drinks where you can reach them.",
    "Your surgeon will check the cut at your first visit.",
    "The stitches usually come out after about two weeks.",
    "Bring a list of your medicines to the hospital.",
    "Walk a little each day, as your care team advises.",
]
WHO_ITEMS = [
    "the pain still bothers you after trying other care",
    "walking is very painful",
    "you cannot find shoes that fit well",
    "the problem makes it hard to get through your day",
    "the {place} keeps getting worse",
]
RISK_ITEMS = [
    "infection, bleeding or pain",
    "a scar",
    "a blood clot",
    "harm to a nerve, which can cause numbness",
    "bone that does not heal well",
    "stiffness in the foot",
    "the problem coming back",
]
TIMELINE_TABLE = [
    ("First 2 weeks", "Rest with your foot raised as much as you can."),
    ("2 to 6 weeks", "You may start to put some weight on your foot."),
    ("6 to 12 weeks", "Most people walk in normal shoes again."),
    ("3 to 6 months", "You can go back to most sports."),
    ("Up to a year", "Some swelling may last this long."),
]


def fill(template: str, ctx: dict) -> str:
    return template.format(**ctx)


def paragraph(bank: list[str], rng: random.Random, ctx: dict, lo: int, hi: int) -> str:
    k = min(len(bank), rng.randint(lo, hi))
    picked = sorted(rng.sample(range(len(bank)), k))  # keep the bank's order: it reads better
    return " ".join(fill(bank[i], ctx) for i in picked)


def bullet_list(items: list[str], rng: random.Random, ctx: dict, lo: int, hi: int) -> str:
    k = min(len(items), rng.randint(lo, hi))
    picked = sorted(rng.sample(range(len(items)), k))
    return "\n".join("- " + fill(items[i], ctx) for i in picked)


def table(head: tuple[str, str], rows: list[tuple[str, str]], rng: random.Random, lo: int, hi: int) -> str:
    k = min(len(rows), rng.randint(lo, hi))
    picked = sorted(rng.sample(range(len(rows)), k))
    lines = [f"| {head[0]} | {head[1]} |", "| --- | --- |"] + [f"| {rows[i][0]} | {rows[i][1]} |" for i in picked]
    return "\n".join(lines)


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def pad_to(sections: list[list[str]], filler: list[str], target: int, rng: random.Random, ctx: dict,
           skip_last: bool) -> None:
    """Add plain paragraphs from `filler`, round the sections, until the text has `target` words."""
    order = list(range(len(sections) - (1 if skip_last else 0)))
    rng.shuffle(order)
    pool = list(filler)
    rng.shuffle(pool)
    i = 0
    while word_count("\n".join("\n".join(s) for s in sections)) < target:
        if not pool:
            pool = list(filler)
            rng.shuffle(pool)
        n = min(len(pool), 2)
        text = " ".join(fill(pool.pop(), ctx) for _ in range(n))
        sections[order[i % len(order)]].append(text)
        i += 1


def sources(rng: random.Random, topic: Topic) -> str:
    lines = []
    for j in range(rng.randint(2, 4)):
        pub = rng.choice(PUBLISHERS)
        year = rng.choice(["n.d.", str(rng.randint(2015, 2025))])
        title = f"{topic.label} ({['overview', 'patient guide', 'fact sheet', 'leaflet'][j]})"
        url = f"https://www.{slugify(pub)}.example/health/{topic.slug}/{j + 1}"
        lines.append(f"{title} | {pub} | {year} | {url}")
    return "\n    ".join(lines)


def dates(rng: random.Random) -> dict[str, dt.date]:
    # Fixed dates, so the output depends on the seed only. Next-review is years
    # ahead so the synthetic pages never go overdue while the benchmark is in use.
    date = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randint(0, 280))
    reviewed = date + dt.timedelta(days=rng.randint(0, 20))
    return {"date": date, "reviewed": reviewed, "next": reviewed.replace(year=reviewed.year + 9)}


def metadata(lines: list[tuple[str, str]]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in lines) + "\n\n"


def condition_article(t: Topic, ctx: dict, rng: random.Random, links: dict) -> str:
    d = dates(rng)
    sec = []
    sec.append(["## Overview", paragraph(CONDITION["Overview"], rng, ctx, 4, 6),
                f"Other names for it include {', '.join(t.synonyms)}."])
    sec.append(["## Symptoms", "You may notice:", bullet_list(SYMPTOM_ITEMS, rng, ctx, 4, 6),
                paragraph(CONDITION["Symptoms"], rng, ctx, 2, 3)])
    sec.append(["## Causes", paragraph(CONDITION["Causes"], rng, ctx, 2, 2), bullet_list(CAUSE_ITEMS, rng, ctx, 3, 5)])
    sec.append(["## Diagnosis", paragraph(CONDITION["Diagnosis"], rng, ctx, 3, 5),
                table(("Test", "What it shows"), DIAGNOSIS_TABLE, rng, 3, 4)])
    sec.append(["## Non-surgical treatment", paragraph(CONDITION["Non-surgical treatment"], rng, ctx, 3, 4),
                bullet_list(CARE_ITEMS, rng, ctx, 3, 5)])
    surgery = paragraph(CONDITION["Surgical options"], rng, ctx, 3, 5)
    if links["procedure"]:
        slug, label = links["procedure"]
        surgery += f" One option is [{label.lower()}]({{filename}}/procedures/{slug}.md)."
    sec.append(["## Surgical options", surgery])
    sec.append(["## Recovery", paragraph(CONDITION["Recovery"], rng, ctx, 3, 4),
                table(("Time", "What often happens"), RECOVERY_TABLE, rng, 3, 5)])
    help_ = ["## When to get help",
             '!!! non-urgent "See a foot specialist if"\n' + bullet_list(HELP_NON_URGENT, rng, ctx, 2, 4).replace("\n", "\n    ").join(["    ", ""]),
             '!!! urgent "Ask for an urgent appointment if"\n' + bullet_list(HELP_URGENT, rng, ctx, 2, 3).replace("\n", "\n    ").join(["    ", ""])]
    if rng.random() < 0.3:
        help_.append('!!! emergency "Call the emergency number if"\n'
                     + bullet_list(HELP_EMERGENCY, rng, ctx, 1, 2).replace("\n", "\n    ").join(["    ", ""]))
    tail = "You can [book an appointment]({filename}/pages/appointments.md) with our team."
    if links["condition"]:
        slug, label = links["condition"]
        tail += f" You may also want to read about [{label.lower()}]({{filename}}/conditions/{slug}.md)."
    help_.append(tail)
    sec.append(help_)
    target = rng.randint(WORDS_MIN + 20, WORDS_MAX - 40)
    pad_to(sec, CONDITION_FILLER, target, rng, ctx, skip_last=True)
    head = [("Title", t.label),
            ("Summary", f"{t.label} causes pain in the {t.place}. Rest, good shoes and exercises often help."),
            ("Date", d["date"].isoformat())]
    if rng.random() < 0.3:
        head.append(("Modified", (d["date"] + dt.timedelta(days=rng.randint(1, 30))).isoformat()))
    head += [("Regions", ", ".join(ctx["regions"])), ("Symptoms", ", ".join(ctx["symptoms"])),
             ("Reviewed-by", ctx["reviewer"]), ("Last-reviewed", d["reviewed"].isoformat()),
             ("Next-review", d["next"].isoformat()), ("Sources", sources(rng, t))]
    return metadata(head) + "\n\n".join("\n\n".join(s) for s in sec) + "\n"


def procedure_article(t: Topic, ctx: dict, rng: random.Random, treats: list[Topic]) -> str:
    d = dates(rng)
    sec = []
    sec.append(["## What it is", paragraph(PROCEDURE["What it is"], rng, ctx, 4, 6),
                f"You may also hear it called {' or '.join(t.synonyms)}."])
    who = paragraph(PROCEDURE["Who it helps"], rng, ctx, 2, 2)
    sec.append(["## Who it helps", who, bullet_list(WHO_ITEMS, rng, ctx, 3, 5),
                "It can help people with " + ", ".join(
                    f"[{c.label.lower()}]({{filename}}/conditions/{c.slug}.md)" for c in treats) + "."])
    for name, lo, hi in (("Before surgery", 4, 6), ("During surgery", 4, 6), ("After surgery", 4, 6)):
        sec.append([f"## {name}", paragraph(PROCEDURE[name], rng, ctx, lo, hi)])
    sec.append(["## Risks", paragraph(PROCEDURE["Risks"], rng, ctx, 2, 2), bullet_list(RISK_ITEMS, rng, ctx, 4, 7),
                "Ask your surgeon how these risks apply to you."])
    sec.append(["## Recovery timeline", paragraph(PROCEDURE["Recovery timeline"], rng, ctx, 2, 2),
                table(("Time after surgery", "What often happens"), TIMELINE_TABLE, rng, 3, 5)])
    # every procedure page ends with its warning signs (model/rules.py: an urgent and an emergency callout)
    sec.append(["## When to get help",
                '!!! urgent "Call your surgeon\'s office straight away if"\n'
                + bullet_list(HELP_URGENT, rng, ctx, 2, 3).replace("\n", "\n    ").join(["    ", ""]),
                '!!! emergency "Call the emergency number if"\n'
                + bullet_list(HELP_EMERGENCY, rng, ctx, 1, 2).replace("\n", "\n    ").join(["    ", ""])])
    target = rng.randint(WORDS_MIN + 20, WORDS_MAX - 40)
    pad_to(sec, PROCEDURE_FILLER, target, rng, ctx, skip_last=True)
    head = [("Title", t.label),
            ("Summary", f"An operation on the {t.place} to ease pain. It is an option when other care has not helped."),
            ("Date", d["date"].isoformat()), ("Regions", ", ".join(ctx["regions"])),
            ("Treats", ", ".join(c.slug for c in treats)), ("Reviewed-by", ctx["reviewer"]),
            ("Last-reviewed", d["reviewed"].isoformat()), ("Next-review", d["next"].isoformat()),
            ("Sources", sources(rng, t))]
    return metadata(head) + "\n\n".join("\n\n".join(s) for s in sec) + "\n"


@dataclass
class Generated:
    content: Path
    conditions: list[str]  # slugs of generated conditions
    procedures: list[str]
    real_articles: int  # articles copied from the real content/ (in the site's language)
    words: dict[str, int]  # content-relative path -> words of body text

    @property
    def articles(self) -> int:
        return len(self.conditions) + len(self.procedures) + self.real_articles


def generate(dest: Path, n: int, seed: int = 1, source: Path = ROOT / "content") -> Generated:
    """Write dest/content: the real content plus n generated articles. dest/content must not exist."""
    content = Path(dest) / "content"
    shutil.copytree(source, content, ignore=shutil.ignore_patterns(".*", "*~", "*.swp"))
    real = sum(1 for folder in ("conditions", "procedures", "treatments", "guides")
               for p in (content / folder).glob("*.md") if not language_of(p.name))  # translations aside
    rng = random.Random(seed)
    tax_path = content / "taxonomy.yaml"
    tax = yaml.safe_load(tax_path.read_text(encoding="utf-8"))
    facets = tax["facets"]
    n_cond = (n + 1) // 2
    n_proc = n - n_cond
    taken_c = {t["slug"] for t in facets["condition"]["terms"]}
    taken_p = {t["slug"] for t in facets["procedure"]["terms"]}
    conds = condition_names(n_cond, rng, taken_c)
    procs = procedure_names(n_proc, rng, taken_p)
    for p in procs:  # 1 to 3 generated conditions each
        p.treats = [c.slug for c in rng.sample(conds, min(len(conds), rng.randint(1, 3)))]
    by_slug = {c.slug: c for c in conds}
    for p in procs:
        for c in p.treats:
            by_slug[c].treated_by.append(p.slug)
    facets["condition"]["terms"] += [{"slug": t.slug, "label": t.label, "description": t.description,
                                      "synonyms": t.synonyms} for t in conds]
    facets["procedure"]["terms"] += [{"slug": t.slug, "label": t.label, "type": "surgical",
                                      "description": t.description, "synonyms": t.synonyms} for t in procs]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    tax_path.write_text(f"# Generated by tools/benchgen.py (n={n}, seed={seed}) from the real taxonomy.\n"
                        + yaml.dump(tax, Dumper=dumper, sort_keys=False, allow_unicode=True, width=200),
                        encoding="utf-8")

    regions = [t["slug"] for t in facets["region"]["terms"]]
    symptoms = [t["slug"] for t in facets["symptom"]["terms"]]
    sym_label = {t["slug"]: t["label"] for t in facets["symptom"]["terms"]}
    reg_label = {t["slug"]: t["label"] for t in facets["region"]["terms"]}
    providers = yaml.safe_load((content / "clinic" / "providers.yaml").read_text(encoding="utf-8"))["providers"]
    reviewers = [p["slug"] for p in providers]
    proc_label = {p.slug: p.label for p in procs}
    words: dict[str, int] = {}

    def context(t: Topic) -> dict:
        regs = rng.sample(regions, rng.randint(1, 2))
        syms = rng.sample(symptoms, rng.randint(2, 4))
        name = t.label[0].lower() + t.label[1:]
        return {"name": name, "Name": t.label, "place": t.place, "region": reg_label[regs[0]].lower(),
                "sym": sym_label[syms[0]].lower(), "sym2": sym_label[syms[1]].lower(),
                "regions": regs, "symptoms": syms, "reviewer": rng.choice(reviewers)}

    for i, c in enumerate(conds):
        ctx = context(c)
        links = {"procedure": (c.treated_by[0], proc_label[c.treated_by[0]]) if c.treated_by else None,
                 "condition": (conds[(i + 1) % len(conds)].slug, conds[(i + 1) % len(conds)].label)
                 if len(conds) > 1 else None}
        text = condition_article(c, ctx, rng, links)
        rel = f"conditions/{c.slug}.md"
        (content / rel).write_text(text, encoding="utf-8")
        words[rel] = word_count(text.split("\n\n", 1)[1])
    for p in procs:
        ctx = context(p)
        ctx.pop("symptoms")
        text = procedure_article(p, ctx, rng, [by_slug[s] for s in p.treats])
        rel = f"procedures/{p.slug}.md"
        (content / rel).write_text(text, encoding="utf-8")
        words[rel] = word_count(text.split("\n\n", 1)[1])
    # every generated procedure is offered by a provider, as a real clinic's are
    # (a procedure no provider offers is a warning: review.unoffered)
    data_path = content / "clinic" / "providers.yaml"
    data = yaml.safe_load(data_path.read_text(encoding="utf-8"))
    for i, p in enumerate(procs):
        data["providers"][i % len(data["providers"])].setdefault("specialties", []).append(p.slug)
    data_path.write_text("# Generated by tools/benchgen.py from the real providers.yaml.\n"
                         + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=200), encoding="utf-8")
    return Generated(content, [c.slug for c in conds], [p.slug for p in procs], real, words)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", help="folder to create; the content goes in <dest>/content")
    parser.add_argument("--n", type=int, default=100, help="number of generated articles (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    dest = Path(args.dest)
    if (dest / "content").exists():
        print(f"{dest / 'content'} exists; choose another folder", file=sys.stderr)
        return 2
    g = generate(dest, args.n, args.seed)
    w = sorted(g.words.values())
    print(f"Wrote {g.content}: {len(g.conditions)} conditions, {len(g.procedures)} procedures "
          f"({w[0] if w else 0} to {w[-1] if w else 0} words), plus {g.real_articles} real articles.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
