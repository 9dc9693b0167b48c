"""Deterministic benchmark rows: row i is a pure function of i and the seed.

A Python port of the peers' generator (mulberry32 per row), so gridbase, NocoDB and Directus
hold identical data. Fields: title, notes, quantity, price, active, due_date, status, email,
website, rating.
"""
import datetime

WORDS = [
    'alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet',
    'kilo', 'lima', 'mike', 'november', 'oscar', 'papa', 'quebec', 'romeo', 'sierra', 'tango',
    'uniform', 'victor', 'whiskey', 'xray', 'yankee', 'zulu', 'amber', 'azure', 'beige', 'black',
    'blue', 'bronze', 'brown', 'cyan', 'gold', 'green', 'grey', 'indigo', 'ivory', 'lemon',
    'lilac', 'lime', 'magenta', 'maroon', 'mint', 'navy', 'olive', 'orange', 'peach', 'pink',
    'plum', 'purple', 'red', 'rose', 'ruby', 'salmon', 'sand', 'silver', 'teal', 'violet',
    'white', 'yellow', 'apple', 'banana', 'cherry', 'date', 'elder', 'fig', 'grape', 'guava',
    'kiwi', 'lemonade', 'mango', 'melon', 'nectar', 'papaya', 'pear', 'quince', 'raisin', 'berry',
    'tomato', 'walnut', 'almond', 'cashew', 'pecan', 'hazel', 'acorn', 'maple', 'oak', 'pine',
    'birch', 'cedar', 'willow', 'spruce', 'aspen', 'poplar', 'larch', 'alder', 'rowan', 'yew',
    'river', 'ocean', 'lake', 'brook', 'creek', 'delta2', 'fjord', 'bay', 'cove', 'harbor',
    'mountain', 'valley', 'canyon', 'mesa', 'plateau', 'ridge', 'summit', 'peak', 'cliff', 'dune',
    'desert', 'forest', 'jungle', 'meadow', 'prairie', 'tundra', 'swamp', 'marsh', 'glacier', 'island',
    'comet', 'planet', 'star', 'nebula', 'galaxy', 'quasar', 'pulsar', 'meteor', 'orbit', 'rocket',
    'engine', 'gear', 'lever', 'pulley', 'spring', 'valve', 'piston', 'turbine', 'rotor', 'bearing',
    'copper', 'iron', 'nickel', 'zinc', 'cobalt', 'carbon', 'neon', 'argon', 'xenon', 'radon',
    'falcon', 'eagle', 'hawk', 'raven', 'sparrow', 'robin', 'heron', 'crane', 'swan', 'owl',
    'tiger', 'lion', 'panther', 'jaguar', 'lynx', 'puma', 'wolf', 'fox', 'bear', 'otter',
    'report', 'invoice', 'ticket', 'order', 'task', 'issue', 'memo', 'draft', 'review', 'audit',
    'north', 'south', 'east', 'west', 'central', 'upper', 'lower', 'inner', 'outer', 'remote',
]
STATUSES = ['todo', 'doing', 'done', 'blocked', 'archived']
M32 = 0xFFFFFFFF
DAY0 = datetime.date(2020, 1, 1)


def _mulberry32(a):
    state = a & M32

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = ((state ^ (state >> 15)) * (1 | state)) & M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def make_row(i, seed=20240601):
    r = _mulberry32((seed ^ ((i * 2654435761) & M32)) & M32)

    def rint(n):
        return int(r() * n)

    def word():
        return WORDS[rint(len(WORDS))]

    title = f"{word()} {word()} {word()} #{i}"
    nw = 12 + rint(19)
    notes = ' '.join(word() for _ in range(nw)) + '.'
    quantity = rint(10000)
    cents = rint(1000000)
    price = f"{cents // 100}.{cents % 100:02d}"
    active = r() < 0.5
    due = (DAY0 + datetime.timedelta(days=rint(1826))).isoformat()
    status = STATUSES[rint(len(STATUSES))]
    rating = rint(6)
    return {
        'title': title, 'notes': notes, 'quantity': quantity, 'price': price, 'active': active,
        'due_date': due, 'status': status, 'email': f'user{i}@example.com',
        'website': f'https://example.com/items/{i}', 'rating': rating,
    }


if __name__ == '__main__':
    import json
    import sys
    a, b = int(sys.argv[1]), int(sys.argv[2])
    for i in range(a, b + 1):
        print(json.dumps(make_row(i), separators=(',', ':')))
