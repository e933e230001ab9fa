"""Byte-level BPE helpers shared by make_golden.py and make_gpt2_tokenizer.py.

Two jobs:
  * build a HuggingFace `tokenizers` tokenizer.json (format version "1.0") for a
    GPT-2 style byte-level BPE, laid out the way `tokenizers` saves it;
  * a small, independent reference encoder/decoder, used only to self-check the
    files we write (and to produce expected ids for the Java tokenizer tests).

Nothing here depends on `transformers` or `tokenizers`; the encoder follows the
published GPT-2 algorithm (regex pre-split, bytes -> printable unicode, then
repeatedly merge the lowest-ranked adjacent pair).
"""

import json

# GPT-2's pre-tokenizer pattern; `tokenizers`' ByteLevel(use_regex=true) uses the same.
GPT2_SPLIT_PATTERN = (
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
)


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map, in GPT-2's own order.

    Printable Latin-1 bytes map to themselves; the other 68 bytes (controls,
    space, ...) are shifted to U+0100 and up, so e.g. space becomes 'Ġ' (U+0120).
    The iteration order of the returned dict is the order GPT-2 assigns ids 0..255.
    """
    bs = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def tokenizer_json(vocab, merges, special_tokens):
    """Return the tokenizer.json document (a dict) for a GPT-2 style byte-level BPE.

    vocab: {token string: id}, merges: ["left right", ...] in rank order,
    special_tokens: {content: id} (also present in vocab, as in GPT-2's files).
    """
    added = [
        {
            "id": tid,
            "content": content,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": True,
            "special": True,
        }
        for content, tid in sorted(special_tokens.items(), key=lambda kv: kv[1])
    ]
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {
            "type": "ByteLevel",
            "add_prefix_space": False,
            "trim_offsets": True,
            "use_regex": True,
        },
        "post_processor": {
            "type": "ByteLevel",
            "add_prefix_space": True,
            "trim_offsets": False,
            "use_regex": True,
        },
        "decoder": {
            "type": "ByteLevel",
            "add_prefix_space": True,
            "trim_offsets": True,
            "use_regex": True,
        },
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": "",
            "end_of_word_suffix": "",
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            # Written in id order so the file reads naturally; JSON object order is
            # not semantically meaningful to a correct reader.
            "vocab": dict(sorted(vocab.items(), key=lambda kv: kv[1])),
            "merges": list(merges),
        },
    }


def write_tokenizer_json(path, doc, pretty=True):
    # `tokenizers` writes UTF-8 without escaping non-ASCII; do the same. Pretty (indent 2)
    # is its default; the hub's gpt2 file is compact, which also keeps the 50k vocab small.
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if pretty:
            json.dump(doc, f, ensure_ascii=False, indent=2)
        else:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


class ReferenceBpe:
    """Minimal byte-level BPE encoder/decoder, for self-checks only."""

    def __init__(self, vocab, merges, special_tokens):
        import regex  # Debian: python3-regex; needed for \p{L} / \p{N}

        self.vocab = vocab
        self.inv_vocab = {i: t for t, i in vocab.items()}
        self.ranks = {tuple(m.split(" ")): r for r, m in enumerate(merges)}
        self.by_rank = {r: p for p, r in self.ranks.items()}
        self.special = special_tokens
        self.byte_enc = bytes_to_unicode()
        self.byte_dec = {c: b for b, c in self.byte_enc.items()}
        self.split_re = regex.compile(GPT2_SPLIT_PATTERN)
        self.special_re = (
            regex.compile("(" + "|".join(regex.escape(s) for s in special_tokens) + ")")
            if special_tokens
            else None
        )

    def _bpe(self, word):
        parts = list(word)
        while len(parts) > 1:
            pairs = [(self.ranks.get((a, b)), i) for i, (a, b) in enumerate(zip(parts, parts[1:]))]
            pairs = [p for p in pairs if p[0] is not None]
            if not pairs:
                break
            left, right = self.by_rank[min(pairs)[0]]
            # Merge every occurrence of the best pair, left to right, in one pass.
            merged, i = [], 0
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == left and parts[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        return parts

    def encode(self, text):
        ids = []
        chunks = self.special_re.split(text) if self.special_re else [text]
        for chunk in chunks:
            if chunk in self.special:
                ids.append(self.special[chunk])
                continue
            for piece in self.split_re.findall(chunk):
                word = "".join(self.byte_enc[b] for b in piece.encode("utf-8"))
                ids.extend(self.vocab[t] for t in self._bpe(word))
        return ids

    def decode(self, ids):
        out = bytearray()
        for i in ids:
            tok = self.inv_vocab[i]
            if tok in self.special:
                out.extend(tok.encode("utf-8"))
            else:
                out.extend(self.byte_dec[c] for c in tok)
        return out.decode("utf-8", errors="replace")
