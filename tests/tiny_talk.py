"""A four-section talk in Korean and English, small enough to embed in a test."""

from __future__ import annotations

from pathlib import Path

from bot.knowledge import Knowledge, load_knowledge

TALK_KO = """---
title: "작은 토크"
talk: tiny
lang: ko
video: "https://youtu.be/tiny"
---
## 1. 고양이 돌보기

고양이는 하루에 두 번 밥을 먹습니다.

고양이 화장실은 매일 치워야 합니다.

## 2. 정원 가꾸기

토마토는 햇빛을 좋아합니다. 정원에는 아침마다 물을 줍니다.

## 3. 자전거 수리

자전거 체인에 기름을 칠하면 소리가 줄어듭니다.

## 4. 돈 모으기

월급의 일부를 먼저 떼어 저축하면 목돈이 생깁니다.
"""

TALK_EN = """---
title: "A tiny talk"
talk: tiny
lang: en
video: "https://youtu.be/tiny"
---
## 1. Caring for cats

Cats eat twice a day.

The litter box must be cleaned every day.

## 2. Gardening

Tomatoes love sunlight. The garden is watered every morning.

## 3. Bicycle repair

Oiling the bicycle chain makes it quieter.

## 4. Saving money

Setting part of each paycheck aside first builds savings.
"""

FEEDING = "Cats eat twice a day."


def write_talk(folder: Path, english: str = TALK_EN) -> Knowledge:
    """The two-language talk, written to `folder` and loaded."""
    (folder / "tiny.ko.md").write_text(TALK_KO, encoding="utf-8")
    (folder / "tiny.en.md").write_text(english, encoding="utf-8")
    return load_knowledge(folder)
