"""Which developer / model family a response claims to be, from English and Chinese text.

A distilled copy often inherits its teacher's self-description ("I am Claude, made by
Anthropic") even after rebranding, so the claimed identity is evidence of distillation.
Mentions alone are not claims: "I am not ChatGPT; I'm Claude" mentions OpenAI's model
but claims Anthropic's, and "models such as GPT-4 and Gemini" claims nothing. So each
mention is read in its clause and ranked:

- denied: a negation precedes it in the clause ("not", "n't", "unlike", 不是, 并非 ...) or
  follows it ("... has nothing to do with me", 与...无关); it is never the claim;
- in a question ("Am I ChatGPT?"): ignored;
- self-claim: the clause says "I am / I'm / my name is / I was ... / 我是 / 我叫 / 我由 ..."
  before it, or "... created me / ...开发的我" after it;
- attribution: "developed by / trained by / based on / Developer: / 由...开发" without "I";
- bare: any other mention, which counts only when the whole answer is a few words
  ("Anthropic." as the answer to "Who made you?").

The claim is the first self-claim, else the first attribution, else a self-named
unlisted model ("I'm Zephyr", "我叫小智") as `other`, else a lone bare mention in a very
short answer, else `none`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# label -> (display name, patterns). Labels are what reports show and group on.
FAMILIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "anthropic/claude": ("Anthropic / Claude", (r"\bclaude\b", r"\banthropic\b", r"克劳德")),
    "openai/gpt": (
        "OpenAI / GPT",
        (r"\bchat\s?gpt\b", r"\bgpt(?:[-\s]?[345](?:\.\d)?(?:o|-?turbo|-?mini)?)?\b", r"\bgpt-?4o\b", r"\bopen\s?ai\b"),
    ),
    "google/gemini": ("Google / Gemini", (r"\bgemini\b", r"\bbard\b", r"\bgemma\b", r"\bgoogle\b", r"\bdeepmind\b", r"\bPaLM\b", r"谷歌")),
    "meta/llama": ("Meta / Llama", (r"\bllama\b", r"\b(?-i:Meta)\b", r"\bmeta\s+ai\b")),
    "deepseek": ("DeepSeek", (r"\bdeep\s?seek\b", r"深度求索")),
    "moonshot/kimi": ("Moonshot AI / Kimi", (r"\bkimi\b", r"\bmoonshot(?:\s+ai)?\b", r"月之暗面")),
    "minimax": ("MiniMax", (r"\bmini\s?max\b", r"\babab\s?\d", r"海螺", r"稀宇")),
    "alibaba/qwen": ("Alibaba / Qwen", (r"\bqwen[\w.-]*", r"\btongyi\b", r"通义千问", r"通义", r"千问", r"\balibaba\b", r"阿里巴巴", r"阿里云", r"阿里")),
    "zhipu/glm": ("Zhipu AI / GLM", (r"\b(?:chat)?glm[\w.-]*", r"\bzhipu\b", r"智谱", r"清言")),
    "mistral": ("Mistral AI", (r"\bmistral\b", r"\bmixtral\b", r"\ble chat\b")),
}

# Named models and developers outside the list above: a claim of any of them is `other`.
OTHER_NAMES: tuple[str, ...] = (
    r"\bmicrosoft\b", r"\bphi[-\s]?\d\b", r"\bcopilot\b", r"\bhugging\s?face\b", r"\bsmol\s?lm\w*", r"\bzephyr\b",
    r"\bxai\b", r"\bgrok\b", r"\bcohere\b", r"\bcommand[-\s]r\b", r"\bibm\b", r"\bgranite\b", r"\bbaidu\b", r"\bernie\b",
    r"文心一言", r"文心", r"百度", r"\bdoubao\b", r"豆包", r"\bbytedance\b", r"字节跳动", r"\bhunyuan\b", r"混元", r"腾讯",
    r"\btencent\b", r"讯飞", r"星火", r"\biflytek\b", r"\bbaichuan\b", r"百川", r"\bamazon\b", r"\bnvidia\b", r"\bnemotron\b",
    r"\bfalcon\b", r"\bolmo\b", r"\bvicuna\b", r"\bstablelm\b", r"\b01\.ai\b", r"零一万物", r"\bstepfun\b", r"阶跃星辰",
)

LABELS: tuple[str, ...] = tuple(FAMILIES) + ("other", "none")


def display_name(label: str) -> str:
    """Human name for a label (reports)."""
    if label in FAMILIES:
        return FAMILIES[label][0]
    return {"other": "another named model", "none": "no identity claimed"}.get(label, label)


# `\b` would see no boundary between a Chinese character and a Latin name ("我是Kimi"), since
# both are word characters; names use ASCII-only boundaries instead. Every name starts and
# ends with a letter or digit, so "not after / not before an ASCII alphanumeric" is the
# boundary (and these simple lookarounds keep the scan about five times faster).
def _name_pattern(pattern: str) -> re.Pattern[str]:
    if pattern.startswith(r"\b"):
        pattern = r"(?<![A-Za-z0-9])" + pattern[2:]
    if pattern.endswith(r"\b"):
        pattern = pattern[:-2] + r"(?![A-Za-z0-9])"
    if r"\b" in pattern:
        raise ValueError(f"name pattern with an inner word boundary: {pattern}")
    return re.compile(pattern, re.IGNORECASE)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (_name_pattern(p), label) for label, (_, pats) in FAMILIES.items() for p in pats
] + [(_name_pattern(p), "other") for p in OTHER_NAMES]

# Clause boundaries: sentence ends, semicolons, commas, line breaks, and contrastive links.
_BOUNDARY = re.compile(r"[.!?。！？;；,，\n]|\bbut\b|\bhowever\b|\bwhereas\b|但是|但|而是|不过", re.IGNORECASE)

_NEGATION = re.compile(
    r"\b(?:not|never|no|neither|nor|unlike|without)\b|n['’]t\b|\brather than\b|\binstead of\b|\bother than\b"
    r"|不是|并非|并不|不属于|而非|非由|没有|不叫|不由",
    re.IGNORECASE,
)
# A comparison or a list is a mention, not a claim ("I'm different from ChatGPT", "such as Gemini").
_COMPARISON = re.compile(
    r"\b(?:different\s+from|differ\s+from|similar\s+to|like|compared\s+(?:to|with)|than|alternative\s+to|competitors?"
    r"|rivals?|such\s+as|including|e\.g|about|regarding|versus|vs)\b|类似|比如|例如|包括|相比|不同于|像",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?。！？\n]")
# A self-claim must sit close to its cue: "I am a large language model created by Anthropic" (8 words).
SELF_CUE_MAX_WORDS = 10

_NEGATION_AFTER = re.compile(
    r"nothing to do with|no relation|not affiliated|unaffiliated|isn['’]t me|is not me|无关|没有(?:任何)?关系|没关系|不是我",
    re.IGNORECASE,
)
_SELF_PREFIX = re.compile(
    r"\b(?:i\s+am|i['’]m|im|my\s+name\s+is|my\s+name['’]s|call\s+me|i\s+go\s+by|i\s+was|i['’]ve\s+been|i\s+have\s+been"
    r"|i\s+(?:come|came)\s+from|i\s+belong\s+to|i\s+work\s+for|i\s+run\s+on|i['’]m\s+called"
    r"|my\s+(?:developer|creator|maker|model|family|company|name)\s+(?:is|was))\b"
    r"|^\s*(?:yes|yep|correct|indeed)\b"
    r"|我是|我叫|我的名字|我由|我来自|我基于|我属于|我就是|我的开发者|我的底层|本模型|而是",
    re.IGNORECASE,
)
_SELF_SUFFIX = re.compile(
    r"^\W{0,3}(?:['’]s\s+\w+\s+)?(?:\w+\s+){0,2}(?:created|developed|built|made|trained|designed|programmed|released)\s+me\b"
    r"|^[^，。,.]{0,8}(?:开发|研发|训练|打造|创造|推出|发布)(?:了)?我",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:created|developed|built|made|trained|designed|produced|released|owned|programmed|fine-?tuned|distilled|powered|based)"
    r"\s+(?:by|on|from|at)\b|\bversion\s+of\b|\bfrom\b|\bbuilt\s+on\b"
    r"|\b(?:name|developer|creator|model|company|organi[sz]ation|maker|lab)\s*[:：]"
    r"|^\s*as\s+(?:an?\s+)?"
    r"|(?:^|\n)\s*[-—–]{1,2}\s*$|\b(?:sincerely|regards|signed|best)\s*,?\s*$"
    r"|由|来自|基于|出自|名称[:：]?|开发者[:：]?|开发商[:：]?|开发单位[:：]?|研发单位[:：]?|署名[:：]?|落款[:：]?|模型[:：]",
    re.IGNORECASE,
)
_ATTRIBUTION_AFTER = re.compile(
    r"^[^，。,.]{0,10}(?:开发|研发|训练|打造|推出|发布)(?:的|了)?"
    r"|^\s*(?:created|developed|built|made|trained|released)\b",
    re.IGNORECASE,
)

# Self-naming of a model that is not in the lists: "my name is Zephyr", "I'm Orca-2", "我叫小智".
_OTHER_SELF = [
    re.compile(r"(?i:\b(?:my\s+name\s+is|i\s+am\s+called|i['’]m\s+called|call\s+me|i\s+go\s+by)\s+)([A-Z][\w.+-]*(?:\s+[A-Z0-9][\w.+-]*){0,2})"),
    re.compile(r"(?i:\b(?:i\s+am|i['’]m)\s+)([A-Z][\w+-]*(?:[- ]?\d[\w.]*)?)(?=[\s,.!;:]|$)"),
    re.compile(r"(?i:\bi\s+was\s+(?:created|developed|built|made|trained)\s+by\s+)((?:[A-Z][\w.&-]*)(?:\s+[A-Z][\w.&-]*){0,3})"),
    re.compile(r"我(?:叫|的名字是|的名字叫)([^\s，。！？、,.!?：:]{1,12})"),
    re.compile(r"我是由([^\s，。！？、,.!?]{2,16}?)(?:公司|团队|实验室)?(?:开发|研发|训练|打造|创建|推出)"),
]
_NOT_A_NAME = {
    "a", "an", "the", "ai", "i", "sorry", "not", "here", "happy", "glad", "unable", "just", "always", "only", "afraid",
    "really", "actually", "currently", "designed", "developed", "built", "trained", "programmed", "created", "made",
    "your", "assistant", "chatbot", "language", "large", "artificial", "able", "going", "sure", "certain", "still",
    "an ai", "one", "also", "very", "so", "unsure", "curious", "aware", "honestly", "simply", "merely", "powered",
}
_GENERIC_ZH = ("一个", "人工智能", "助手", "语言模型", "AI", "团队", "机器人", "程序")

# Declining to say who made it.
_DECLINE = re.compile(
    r"\b(?:can(?:no|['’])?t|cannot|won['’]t|unable\s+to|not\s+able\s+to|not\s+allowed\s+to|prefer\s+not\s+to|not\s+at\s+liberty\s+to)"
    r"\s+(?:share|disclose|reveal|say|tell|discuss|provide|confirm|specify)\b"
    r"|无法透露|不能透露|不便透露|无法提供|不能提供|无法告诉|不能告诉|无法确认|不便告知|无可奉告",
    re.IGNORECASE,
)

SHORT_ANSWER_WORDS = 12
SHORT_ANSWER_CHARS_ZH = 30


@dataclass
class Mention:
    """One occurrence of a known name, with how it is used."""

    label: str
    text: str
    start: int
    kind: str  # self | attribution | bare | comparison | denied | question


@dataclass
class IdentityClaim:
    """What a response says about its own identity."""

    label: str  # one of LABELS
    name: str | None = None  # the words that carried the claim ("Claude", "Zephyr")
    basis: str = "none"  # self | attribution | named_other | bare | none
    claimed: list[str] = field(default_factory=list)  # labels claimed, in order
    denied: list[str] = field(default_factory=list)  # labels explicitly denied
    declined: bool = False  # the response declines to say

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label, "name": self.name, "basis": self.basis,
            "claimed": self.claimed, "denied": self.denied, "declined": self.declined,
        }


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The clause around [start, end): from the last boundary before it to the next one after it."""
    clause_start = 0
    for match in _BOUNDARY.finditer(text, 0, start):
        clause_start = match.end()
    after = _BOUNDARY.search(text, end)
    return clause_start, after.start() if after else len(text)


def _find_mentions(text: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, label) matches, earliest and longest first."""
    found: list[tuple[int, int, str]] = []
    for pattern, label in _PATTERNS:
        for match in pattern.finditer(text):
            if match.end() > match.start():
                found.append((match.start(), match.end(), label))
    found.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str]] = []
    last_end = -1
    for start, end, label in found:
        if start >= last_end:
            kept.append((start, end, label))
            last_end = end
    return kept


def _in_question(text: str, end: int) -> bool:
    """Whether the sentence holding the mention ends with a question mark ("Am I ChatGPT?")."""
    match = _SENTENCE_END.search(text, end)
    return match is not None and match.group() in "?？"


def _self_cue(prefix: str) -> bool:
    """A self-reference cue close enough before the mention to make it a claim."""
    cues = list(_SELF_PREFIX.finditer(prefix))
    if not cues:
        return False
    between = prefix[cues[-1].end():]
    return len(between.split()) <= SELF_CUE_MAX_WORDS


def _classify(text: str, start: int, end: int) -> str:
    clause_start, clause_end = _clause_bounds(text, start, end)
    prefix = text[clause_start:start]
    suffix = text[end:clause_end]
    if _in_question(text, end):
        return "question"
    if _NEGATION.search(prefix) or _NEGATION_AFTER.search(suffix):
        return "denied"
    cues = list(_SELF_PREFIX.finditer(prefix))
    if _COMPARISON.search(prefix[cues[-1].end():] if cues else prefix):
        return "comparison"
    if _self_cue(prefix) or _SELF_SUFFIX.search(suffix):
        return "self"
    if _ATTRIBUTION.search(prefix) or _ATTRIBUTION_AFTER.search(suffix):
        return "attribution"
    return "bare"


def _named_other(text: str) -> str | None:
    for pattern in _OTHER_SELF:
        for match in pattern.finditer(text):
            name = match.group(1).strip(" .")
            lowered = name.lower()
            if lowered in _NOT_A_NAME or lowered.split(" ")[0] in _NOT_A_NAME:
                continue
            if any(g in name for g in _GENERIC_ZH):
                continue
            clause_start, _ = _clause_bounds(text, match.start(), match.end())
            if _NEGATION.search(text[clause_start:match.start(1)]):
                continue
            return name
    return None


def _is_short(text: str) -> bool:
    if re.search(r"[\u4e00-\u9fff]", text):
        return len(re.sub(r"\s", "", text)) <= SHORT_ANSWER_CHARS_ZH
    return len(text.split()) <= SHORT_ANSWER_WORDS


def extract_identity(response: str | None) -> IdentityClaim:
    """The developer/model family the response claims (see the module docstring for the rules)."""
    text = (response or "").strip()
    if not text:
        return IdentityClaim("none")
    mentions = [Mention(label, text[s:e], s, _classify(text, s, e)) for s, e, label in _find_mentions(text)]
    claimed = [m for m in mentions if m.kind == "self"] or [m for m in mentions if m.kind == "attribution"]
    denied = sorted({m.label for m in mentions if m.kind == "denied"})
    declined = bool(_DECLINE.search(text))
    labels_in_order = list(dict.fromkeys(m.label for m in claimed))
    if claimed:
        first = claimed[0]
        return IdentityClaim(first.label, first.text, first.kind, labels_in_order, denied, declined)
    other = _named_other(text)
    if other is not None:
        return IdentityClaim("other", other, "named_other", ["other"], denied, declined)
    bare = [m for m in mentions if m.kind == "bare"]
    if bare and len({m.label for m in bare}) == 1 and _is_short(text):
        return IdentityClaim(bare[0].label, bare[0].text, "bare", [bare[0].label], denied, declined)
    return IdentityClaim("none", None, "none", [], denied, declined)
