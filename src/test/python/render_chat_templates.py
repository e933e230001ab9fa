"""Expected renderings of the public chat templates in src/test/resources/chat-templates/.

Each fixture there is the relevant part of a model's tokenizer_config.json (chat_template,
bos_token, eos_token). This script renders a fixed set of conversations with Python's jinja2
set up as transformers' apply_chat_template sets it up (ImmutableSandboxedEnvironment,
trim_blocks, lstrip_blocks, loopcontrols, raise_exception, strftime_now, its tojson), and
writes expected.json beside them: the independent reference ChatTemplateTest checks Scales'
Java renderer against.

Rerun from the repository root (needs Debian's python3-jinja2):
  python3 src/test/python/render_chat_templates.py
Output is deterministic (strftime_now reads a fixed date: 2026-03-05 14:07).
"""
import glob
import json
import os
from datetime import datetime

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.join(os.path.dirname(__file__), "..", "resources", "chat-templates")
NOW = datetime(2026, 3, 5, 14, 7)


class Refused(Exception):
    pass


def raise_exception(message):
    raise Refused(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = lambda fmt: NOW.strftime(fmt)
    return env


def m(role, content):
    return {"role": role, "content": content}


CASES = {
    "conversation": ([m("system", "Be brief."), m("user", "Hi"), m("assistant", "Hello!"),
                      m("user", "Review: great film")], True),
    "no-system": ([m("user", "Hi"), m("assistant", "Hello!"), m("user", "Review: great film")], True),
    "one-turn": ([m("user", "Review: dull\nSentiment:")], False),
    "one-turn-generation": ([m("user", "Review: dull\nSentiment:")], True),
    "assistant-last": ([m("system", "Answer with positive or negative."), m("user", "Review: fine\nSentiment:"),
                        m("assistant", "positive")], False),
    "few-shot": ([m("system", "Answer with positive or negative."),
                  m("user", "Review: a delight\nSentiment:"), m("assistant", "positive"),
                  m("user", "Review: a bore\nSentiment:"), m("assistant", "negative"),
                  m("user", "Review: loved it\nSentiment:"), m("assistant", "positive"),
                  m("user", "Review: not again\nSentiment:")], True),
    "awkward-text": ([m("user", "  Größe — naïve ☕ 日本語 \"quotes\" {{ not a tag }} {% raw %}\n\n\tindented  "),
                      m("assistant", " spaced answer \n"), m("user", "")], True),
    "system-only": ([m("system", "Only a system message.")], True),
}


def main():
    env = environment()
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "*.json"))):
        name = os.path.basename(path)[:-5]
        if name == "expected":
            continue
        with open(path, encoding="utf-8") as f:
            config = json.load(f)
        template = env.from_string(config["chat_template"])
        tokens = {k: config[k] for k in ("bos_token", "eos_token") if config.get(k) is not None}
        for case, (messages, generation) in CASES.items():
            entry = {"template": name, "case": case, "messages": messages, "add_generation_prompt": generation}
            try:
                entry["text"] = template.render(messages=messages, add_generation_prompt=generation, **tokens)
            except Refused as e:
                entry["refusal"] = str(e)
            out.append(entry)
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(len(out), "renderings written")


if __name__ == "__main__":
    main()
