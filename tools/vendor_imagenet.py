"""tools/vendor_imagenet.py - how third_party/imagenet/classes.tsv was made (kept for the record;
the result is committed, so nothing is fetched at build or run time).

    /usr/bin/python3 tools/vendor_imagenet.py [--wnids LOC_synset_mapping.txt]
                                                  # needs npm (network) and Debian's wordnet-base

ImageNet's 1,000 ILSVRC-2012 classes in the order of the models' outputs, with their synonym lists,
come from the npm package @tensorflow-models/mobilenet 2.1.1 (dist/imagenet_classes.js, Apache
License 2.0). Each synonym list is the lemma list of one WordNet 3.0 noun synset; ImageNet's class
id (wnid, as Keras' decode_predictions prints it: n04350905) is "n" and that synset's 8-digit
offset in WordNet's data.noun (Debian wordnet-base, WordNet licence). Keras' short name is the
first lemma, spaces as underscores ("Windsor_tie"). The classes are in the order of their wnids
(ILSVRC's class index is sorted by them), which settles a list several synsets share ("crane" the
bird, class 134, and the machine, 517): the one between its neighbours' wnids. A list matching no
synset stops the script. About 45 lists still fit several synsets in that range ("spatula": the
turner n04270147 or the spreading tool n04269944): those need ImageNet's own list of wnids, one per
line in class order ("n01440764 tench, Tinca tinca", the ILSVRC-2012 devkit's LOC_synset_mapping.txt),
given as --wnids; every other class is then checked against it too. Without it the script stops
rather than guess. Output: one line per class, tab-separated: wnid, short name, the synonym list.
"""
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

VERSION = "2.1.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEST = os.path.join(ROOT, "third_party", "imagenet")
DATA_NOUN = "/usr/share/wordnet/data.noun"


def tfjs_classes(tmp):
    subprocess.run(["npm", "pack", "--silent", "@tensorflow-models/mobilenet@" + VERSION], cwd=tmp, check=True,
                   stdout=subprocess.DEVNULL)
    tgz = [f for f in os.listdir(tmp) if f.endswith(".tgz")][0]
    with tarfile.open(os.path.join(tmp, tgz)) as t:
        src = t.extractfile("package/dist/imagenet_classes.js").read().decode()
    out = subprocess.run(["node", "-e", "const m = {exports: {}}; (function (exports, module) {" + src +
                          "\n})(m.exports, m); console.log(JSON.stringify(m.exports.IMAGENET_CLASSES))"],
                         capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    return [d[str(i)] for i in range(len(d))]


def synsets():
    by_lemmas, by_lemma = {}, {}
    with open(DATA_NOUN, encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            parts = line.split(" ")
            offset, n = parts[0], int(parts[3], 16)
            lemmas = [re.sub(r"\(.*\)$", "", parts[4 + 2 * i]).replace("_", " ") for i in range(n)]
            by_lemmas.setdefault(tuple(norm(l) for l in lemmas), []).append(offset)
            for l in lemmas:
                by_lemma.setdefault(norm(l), set()).add(offset)
    return by_lemmas, by_lemma


def norm(lemma):
    return re.sub(r"[ _\-'.]", "", lemma.lower())


def main():
    ref = None
    if len(sys.argv) == 3 and sys.argv[1] == "--wnids":
        with open(sys.argv[2]) as f:
            ref = [line.split()[0][1:] for line in f if line.strip()]
        if len(ref) != 1000:
            sys.exit("vendor_imagenet: %s: %d wnids, expected 1000" % (sys.argv[2], len(ref)))
    elif len(sys.argv) != 1:
        sys.exit(__doc__)
    if not os.path.exists(DATA_NOUN):
        sys.exit("vendor_imagenet: %s missing: apt-get install wordnet-base" % DATA_NOUN)
    with tempfile.TemporaryDirectory() as tmp:
        classes = tfjs_classes(tmp)
    if len(classes) != 1000:
        sys.exit("vendor_imagenet: %d classes, expected 1000" % len(classes))
    index, by_lemma = synsets()
    lemma_lists = [[s.strip() for s in names.split(",")] for names in classes]
    cands, loose = [], 0
    for i, lemmas in enumerate(lemma_lists):
        c = index.get(tuple(norm(l) for l in lemmas), [])
        if not c:          # a spelling that differs from WordNet's ("jelly fish"): any synset of its names
            loose += 1
            c = set.union(*[by_lemma.get(norm(l), set()) for l in lemmas])
        if not c:
            sys.exit("vendor_imagenet: class %d %r matches no WordNet synset" % (i, classes[i]))
        cands.append(sorted(c))
    chosen = [c[0] if len(c) == 1 else None for c in cands]
    for i, c in enumerate(cands):
        if chosen[i] is None:
            lo = max([chosen[j] for j in range(i) if chosen[j]] or ["0"])
            hi = min([chosen[j] for j in range(i + 1, len(cands)) if chosen[j]] or ["99999999"])
            inside = [o for o in c if lo < o < hi]
            if not inside:
                sys.exit("vendor_imagenet: class %d %r: none of its synsets lies between its neighbours" % (i, classes[i]))
            if len(inside) > 1 and not ref:
                sys.exit("vendor_imagenet: class %d %r: synsets %s fit between its neighbours; pass --wnids"
                         % (i, classes[i], inside))
            chosen[i] = ref[i] if len(inside) > 1 else inside[0]
            if chosen[i] not in inside:
                sys.exit("vendor_imagenet: class %d %r: the given wnid is none of its synsets" % (i, classes[i]))
    if ref and ref != chosen:
        bad = [i for i in range(len(ref)) if ref[i] != chosen[i]]
        sys.exit("vendor_imagenet: %d classes differ from the given wnids, the first %d" % (len(bad), bad[0]))
    if chosen != sorted(chosen) or len(set(chosen)) != len(chosen):
        sys.exit("vendor_imagenet: the wnids are not in increasing order")
    rows = ["n%s\t%s\t%s" % (chosen[i], l[0].replace(" ", "_"), ", ".join(l)) for i, l in enumerate(lemma_lists)]
    os.makedirs(DEST, exist_ok=True)
    with open(os.path.join(DEST, "classes.tsv"), "w") as f:
        f.write("\n".join(rows) + "\n")
    print("vendor_imagenet: %d classes matched by a name rather than the whole list" % loose)
    print("vendor_imagenet: wrote %d classes to %s" % (len(rows), os.path.join(DEST, "classes.tsv")))


if __name__ == "__main__":
    main()
