"""Review text from phrase banks: positive, negative or mixed, from one line to thousands of words.

Deterministic (every choice comes from the caller's Random) and cheap: a sentence is one template
filled with a few words, so even a 3,000-word review costs well under a millisecond.
"""

from __future__ import annotations

import random
from typing import Literal

Sentiment = Literal["positive", "negative", "mixed"]

ASPECTS = (
    "acting",
    "script",
    "cinematography",
    "score",
    "pacing",
    "ending",
    "dialogue",
    "direction",
    "cast",
    "editing",
    "production design",
    "story",
    "lead performance",
    "soundtrack",
    "visual effects",
    "humour",
    "third act",
    "opening sequence",
    "chemistry between the leads",
    "world-building",
)
POSITIVE_ADJ = (
    "brilliant",
    "wonderful",
    "gripping",
    "beautiful",
    "outstanding",
    "moving",
    "superb",
    "clever",
    "breathtaking",
    "charming",
    "powerful",
    "masterful",
    "delightful",
    "unforgettable",
    "excellent",
)
NEGATIVE_ADJ = (
    "dull",
    "clumsy",
    "forgettable",
    "tedious",
    "confusing",
    "lifeless",
    "predictable",
    "messy",
    "disappointing",
    "awful",
    "flat",
    "bloated",
    "lazy",
    "uninspired",
    "painful",
)
POSITIVE = (
    "{title} is one of the most {pos} films I have seen in years.",
    "The {aspect} is {pos}, and it carries the whole film.",
    "I was completely absorbed from the first minute to the last.",
    "Honestly, the {aspect} alone is worth the price of the ticket.",
    "Every scene feels deliberate, and the {aspect} is simply {pos}.",
    "It made me laugh, and then it made me cry, which is rare.",
    "The {aspect} deserves every award it gets.",
    "I loved how the {aspect} and the {aspect2} work together.",
    "A {pos} piece of filmmaking that respects its audience.",
    "I have already watched it twice and I will watch it again.",
    "The way the film handles its themes is {pos} and never preachy.",
    "Even the smallest roles are played with real care.",
)
NEGATIVE = (
    "{title} is a {neg} mess that wastes a promising idea.",
    "The {aspect} is {neg}, and nothing else can save it.",
    "I checked my watch more times than I can count.",
    "The {aspect} is so {neg} that I stopped caring about anyone on screen.",
    "It is hard to believe anyone read this script and said yes.",
    "The {aspect} feels {neg} and the {aspect2} is even worse.",
    "Two hours of my life I will never get back.",
    "Every twist is {neg} and you can see it coming a mile away.",
    "I wanted to like it, but the {aspect} is just {neg}.",
    "The film mistakes noise for excitement and length for depth.",
    "Nothing about the {aspect} works, and the ending is {neg}.",
    "I would not recommend it, not even on a long flight.",
)
MIXED = (
    "The {aspect} is {pos}, but the {aspect2} is {neg}.",
    "There is a great film somewhere in here, buried under a {neg} {aspect}.",
    "I admired the {aspect} more than I enjoyed the film as a whole.",
    "The first half is {pos}; the second half is {neg}.",
    "It is uneven, yet the {aspect} kept me watching.",
    "Some scenes are {pos} and others are frankly {neg}.",
    "Worth seeing for the {aspect}, even if the {aspect2} lets it down.",
    "I left the cinema with mixed feelings about {title}.",
)
NEUTRAL = (
    "I watched it on a quiet Sunday afternoon.",
    "The film runs a little over two hours.",
    "I went in knowing almost nothing about it.",
    "It reminded me of the films I grew up with.",
    "My friends had very different opinions about it afterwards.",
    "The trailer gives a slightly misleading idea of the tone.",
    "I saw it in a nearly empty theatre.",
    "Some context about the production helps to understand a few choices.",
    "Let me try to explain why, without spoilers.",
    "The marketing focused on the {aspect}, and that is fair.",
)
OPENERS: dict[Sentiment, tuple[str, ...]] = {
    "positive": ("What a film.", "Wow.", "This one surprised me.", "A small gem.", "Finally, a great one."),
    "negative": ("Oh dear.", "What a letdown.", "I really wanted to like this.", "Skip it.", "Sigh."),
    "mixed": ("Hmm.", "Hard to rate this one.", "A film of two halves.", "Not bad, not great.", "Well."),
}
CLOSERS: dict[Sentiment, tuple[str, ...]] = {
    "positive": (
        "Highly recommended.",
        "Go and see it.",
        "An easy recommendation.",
        "A must-watch.",
        "{rating}/10, and I mean it.",
    ),
    "negative": (
        "Avoid.",
        "Not recommended.",
        "A waste of a good cast.",
        "Save your money.",
        "{rating}/10, generously.",
    ),
    "mixed": (
        "Watch it if you are curious.",
        "Your mileage may vary.",
        "Decent, but forgettable.",
        "{rating}/10.",
        "Wait for streaming.",
    ),
}

# A few reviews are not in English (TMDB's reviews are mostly, not only, English).
FOREIGN: dict[str, dict[Sentiment, tuple[str, ...]]] = {
    "fr": {
        "positive": (
            "Un film magnifique.",
            "Les acteurs sont excellents.",
            "Je l'ai adoré du début à la fin.",
            "La musique est sublime.",
            "À voir absolument.",
        ),
        "negative": (
            "Quelle déception.",
            "Le scénario est ennuyeux.",
            "Je me suis endormi.",
            "Les dialogues sont plats.",
            "À éviter.",
        ),
        "mixed": (
            "Le début est bon, la fin beaucoup moins.",
            "Quelques belles scènes.",
            "Un film inégal.",
            "Les acteurs sauvent l'histoire.",
        ),
    },
    "es": {
        "positive": (
            "Una película preciosa.",
            "Las actuaciones son excelentes.",
            "Me encantó.",
            "La fotografía es impresionante.",
            "Muy recomendable.",
        ),
        "negative": (
            "Qué decepción.",
            "El guion es aburrido.",
            "No la recomiendo.",
            "Demasiado larga y predecible.",
            "Una pérdida de tiempo.",
        ),
        "mixed": (
            "Tiene buenos momentos, pero le sobra media hora.",
            "Irregular.",
            "El reparto es mejor que la historia.",
            "Entretenida, sin más.",
        ),
    },
    "de": {
        "positive": (
            "Ein wunderbarer Film.",
            "Die Schauspieler sind großartig.",
            "Absolut sehenswert.",
            "Die Musik ist fantastisch.",
        ),
        "negative": (
            "Eine große Enttäuschung.",
            "Die Handlung ist langweilig.",
            "Nicht empfehlenswert.",
            "Viel zu lang.",
        ),
        "mixed": (
            "Gute Ansätze, schwaches Ende.",
            "Solide, aber nicht mehr.",
            "Die Bilder sind schön, die Story weniger.",
        ),
    },
    "pt": {
        "positive": (
            "Um filme lindo.",
            "As atuações são excelentes.",
            "Recomendo muito.",
            "Adorei cada minuto.",
        ),
        "negative": ("Que decepção.", "O roteiro é fraco.", "Não recomendo.", "Longo e previsível."),
        "mixed": ("Tem bons momentos, mas cansa.", "Irregular, mas interessante.", "O elenco salva o filme."),
    },
}
FOREIGN_LANGS = tuple(FOREIGN)

# (share in percent, paragraphs range, sentences per paragraph range)
LENGTHS = (
    (15, (1, 1), (1, 1)),  # one line
    (35, (1, 1), (2, 5)),  # a short comment
    (35, (2, 4), (3, 7)),  # a few paragraphs
    (12, (6, 14), (4, 8)),  # a long review
    (3, (30, 55), (5, 9)),  # an essay: thousands of words
)


def sentiment_for(rating: int | None, r: random.Random) -> Sentiment:
    if rating is None:
        return r.choice(("positive", "negative", "mixed"))
    if rating >= 7:
        return "positive"
    if rating <= 4:
        return "negative"
    return "mixed"


def _fill(template: str, r: random.Random, title: str) -> str:
    if "{" not in template:
        return template
    aspect, aspect2 = r.sample(ASPECTS, 2)
    return template.format(
        title=title, aspect=aspect, aspect2=aspect2, pos=r.choice(POSITIVE_ADJ), neg=r.choice(NEGATIVE_ADJ)
    )


def _bank(sentiment: Sentiment) -> tuple[str, ...]:
    return {"positive": POSITIVE, "negative": NEGATIVE, "mixed": MIXED}[sentiment]


def write_review(r: random.Random, sentiment: Sentiment, title: str, rating: int | None) -> str:
    """One review body; `r` is the review's own Random, so the text is a function of the review."""
    if r.random() < 0.05:
        lang = r.choice(FOREIGN_LANGS)
        bank = FOREIGN[lang][sentiment]
        return " ".join(r.choice(bank) for _ in range(r.randint(1, 6)))
    pick = r.randrange(100)
    paragraphs, sentences = LENGTHS[-1][1], LENGTHS[-1][2]
    for share, paragraph_range, sentence_range in LENGTHS:
        if pick < share:
            paragraphs, sentences = paragraph_range, sentence_range
            break
        pick -= share
    main = _bank(sentiment)
    shown_rating = rating if rating is not None else r.randint(1, 10)
    out: list[str] = []
    n_paragraphs = r.randint(*paragraphs)
    for p in range(n_paragraphs):
        parts: list[str] = []
        if p == 0 and sentences[1] > 1 and r.random() < 0.4:
            parts.append(r.choice(OPENERS[sentiment]))
        for _ in range(r.randint(*sentences)):
            roll = r.random()
            # mostly on-sentiment sentences, with some neutral filler and, in mixed, both sides
            if roll < 0.22:
                template = r.choice(NEUTRAL)
            elif sentiment == "mixed" and roll < 0.5:
                template = r.choice(POSITIVE if roll < 0.36 else NEGATIVE)
            else:
                template = r.choice(main)
            parts.append(_fill(template, r, title))
        if p == n_paragraphs - 1 and sentences[1] > 1 and r.random() < 0.6:
            parts.append(r.choice(CLOSERS[sentiment]).format(rating=shown_rating))
        out.append(" ".join(parts))
    return "\n\n".join(out)
