"""Scale benchmark (`make bench`, after evals/bench.py): an index of up to 100,000 chunks on this machine.

How the corpus is made: 2,000 generated documents of 50 chunks each, written from the pack's own sentences with
words swapped in from the pack's vocabulary (so BM25 and the facets see realistic terms), each document with a
drug, a cancer type and a year drawn from the pack's facets (so filters select about a tenth of it).

What is real and what is replayed:
- Embedding 100k chunks and their ~800k sentences on 2 CPU cores takes hours, so the rate is measured on a real
  sample (the packaged model, 1,000 chunks with their sentences) and the cold-ingest time is extrapolated from it.
  The index itself is written with vectors *replayed* from that sample (a sample vector plus a little noise,
  normalised), through the library's own writer (`rag.ingest.ingest_chunks`): Chroma, BM25, memory-mapped
  vectors, the switch, all real. Sentence segmentation (pysbd) is measured on the sample and extrapolated the
  same way; the generated chunks come with their sentences.
- Queries are the dev questions, encoded by the real ONNX query encoder, against the real 100k index, warm, in a
  fresh process; the server's peak RSS is read from /proc after it answered them over HTTP.
- Re-ingest after one edit is a real `rag ingest` run (the real model embeds the edited chunks).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (the 1x/10x/50x figures and helpers)

ROOT, BIN, PACK = bench.ROOT, bench.BIN, bench.PACK
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SCALE_SIZES", "10000,100000").split(","))
CHUNKS_PER_DOC = 50
SENTENCES_PER_CHUNK = 8
FILTERS = {"drug": "cisplatin"}


def pack_rows() -> list[dict]:
    return [json.loads(line) for line in (PACK / "studies.jsonl").read_text().splitlines() if line.strip()]


class Generator:
    """Sentences of the pack with a third of their words swapped for other pack words."""

    def __init__(self, seed: int = 11) -> None:
        from rag.chunking import split_sentences

        self.rng = random.Random(seed)
        rows = pack_rows()
        self.sentences = [s for r in rows for s in split_sentences(r["summary"])]
        self.words = " ".join(r["summary"] for r in rows).split()
        self.facets = {"drugs": sorted({d for r in rows for d in r.get("drugs", [])}),
                       "cancer_types": sorted({c for r in rows for c in r.get("cancer_types", [])})}

    def sentence(self) -> str:
        words = self.rng.choice(self.sentences).split()
        for i in self.rng.sample(range(len(words)), len(words) // 3):
            words[i] = self.rng.choice(self.words)
        return " ".join(words)

    def document(self, i: int) -> tuple[dict, list[list[str]]]:
        chunks = [[self.sentence() for _ in range(SENTENCES_PER_CHUNK)] for _ in range(CHUNKS_PER_DOC)]
        record = {"id": f"doc-{i:05d}", "title": " ".join(self.rng.choices(self.words, k=9)),
                  "summary": " ".join(s for c in chunks for s in c), "year": self.rng.randint(2005, 2022),
                  "drugs": [self.rng.choice(self.facets["drugs"])],
                  "cancer_types": [self.rng.choice(self.facets["cancer_types"])], "type": "study"}
        return record, chunks


class ReplayEncoder:
    """Vectors for generated text: a real sample vector chosen by the text's hash, plus noise, normalised."""

    name = "all-MiniLM-L6-v2"

    def __init__(self, sample: np.ndarray) -> None:
        self.sample = sample
        self.dimension = sample.shape[1]

    def encode(self, texts: list[str], progress: bool = False) -> np.ndarray:
        seeds = np.array([hash(t) & 0x7FFFFFFF for t in texts])
        rng = np.random.default_rng(int(seeds.sum()) if len(seeds) else 0)
        out = self.sample[seeds % len(self.sample)] + rng.normal(0, 0.02, (len(texts), self.dimension))
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def measured_rates(gen: Generator) -> dict[str, float]:
    """Embedding and segmentation rates of the real model and pysbd on 1,000 generated chunks."""
    from rag.chunking import split_sentences
    from rag.embeddings import get_embeddings

    chunks = [" ".join(gen.sentence() for _ in range(SENTENCES_PER_CHUNK)) for _ in range(1000)]
    model = get_embeddings()
    model.encode(chunks[:32])
    t = time.perf_counter()
    vectors = model.encode(chunks)
    chunk_rate = len(chunks) / (time.perf_counter() - t)
    sentences = [s for c in chunks[:300] for s in split_sentences(c)]
    t = time.perf_counter()
    model.encode(sentences)
    sentence_rate = len(sentences) / (time.perf_counter() - t)
    t = time.perf_counter()
    segmented = sum(len(split_sentences(c)) for c in chunks[:200])
    segment_rate = segmented / (time.perf_counter() - t)
    return {"embed_chunks_per_s": chunk_rate, "embed_sentences_per_s": sentence_rate,
            "segment_sentences_per_s": segment_rate, "_sample": vectors}  # type: ignore[dict-item]


def build(tmp: Path, n_chunks: int, gen: Generator, encoder: ReplayEncoder) -> dict[str, float]:
    from rag.chunking import source_context
    from rag.documents import Chunk, content_id
    from rag.ingest import ingest_chunks
    from rag.loaders.pack import record_to_source
    from rag.settings import Settings

    docs = [gen.document(i) for i in range(n_chunks // CHUNKS_PER_DOC)]
    corpus = tmp / "corpus" / "bench"
    corpus.mkdir(parents=True)
    (corpus / "docs.jsonl").write_text("".join(json.dumps(r) + "\n" for r, _ in docs))
    sources, chunks = [], []
    for record, parts in docs:
        source = record_to_source(record, "bench/docs.jsonl")
        context = source_context(source)
        sources.append(source)
        for sentences in parts:
            text = " ".join(sentences)
            chunks.append(Chunk(id=content_id(source.id, context, "Summary", "None", text), source_id=source.id,
                                text=text, sentences=sentences, ordinal=len(chunks), section="Summary",
                                context=context))
    settings = Settings(corpus_dir=tmp / "corpus", data_dir=tmp / "data")
    t = time.perf_counter()
    summary = ingest_chunks(settings, sources, chunks, encoder, progress=False, log=lambda _m: None)
    return {"chunks": summary.chunks, "sources": summary.sources,
            "sentences": sum(len(c.sentences) for c in chunks), "write_s": time.perf_counter() - t}


def warm_latency(tmp: Path) -> dict[str, float]:
    """Search and answer latency with and without a filter, warm, in this process (run in a fresh one)."""
    os.environ.update(bench.env_for(tmp))
    from rag.assistant import Assistant
    from rag.filters import Filters
    from rag.settings import Settings

    assistant = Assistant(Settings())
    assistant.ask("warm up")
    assistant.search("warm up", filters=Filters.from_mapping(FILTERS))
    times: dict[str, list[float]] = {"search": [], "filtered": [], "answer": []}
    for q in bench.QUESTIONS:
        for name, call in (("answer", lambda: assistant.ask(q)),
                           ("search", lambda: assistant.search(q + " ")),
                           ("filtered", lambda: assistant.search(q + "  ", filters=Filters.from_mapping(FILTERS)))):
            t = time.perf_counter()
            call()
            times[name].append((time.perf_counter() - t) * 1000)
    return {f"{k}_{p}": float(np.percentile(v, int(p[1:]))) for k, v in times.items() for p in ("p50", "p95")}


def fresh_process_latency(tmp: Path) -> dict[str, float]:
    code = (f"import json,sys; sys.path.insert(0, {str(ROOT / 'evals')!r}); import bench_scale; "
            f"print(json.dumps(bench_scale.warm_latency(__import__('pathlib').Path({str(tmp)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], env=bench.env_for(tmp), check=True, capture_output=True,
                         text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def reingest_after_edit(tmp: Path) -> float:
    """Append a sentence to one document and run a real `rag ingest`."""
    path = tmp / "corpus" / "bench" / "docs.jsonl"
    lines = path.read_text().splitlines()
    record = json.loads(lines[7])
    record["summary"] += " An added sentence says that exosomal miR-21 was measured again."
    lines[7] = json.dumps(record)
    path.write_text("\n".join(lines) + "\n")
    return bench.timed_run([str(BIN / "rag"), "ingest", "-q"], bench.env_for(tmp))


def main() -> None:
    gen = Generator()
    rates = measured_rates(gen)
    encoder = ReplayEncoder(rates.pop("_sample"))  # type: ignore[arg-type]
    print("rates:", json.dumps({k: round(v, 1) for k, v in rates.items()}), flush=True)
    rows = {}
    for n in SIZES:
        tmp = Path(tempfile.mkdtemp(prefix=f"bench-scale-{n}-"))
        try:
            row = build(tmp, n, gen, encoder)
            texts = row["chunks"] + row["sentences"]
            row["cold_ingest_estimate_s"] = (row["write_s"] + row["chunks"] / rates["embed_chunks_per_s"]
                                             + row["sentences"] / rates["embed_sentences_per_s"]
                                             + row["sentences"] / rates["segment_sentences_per_s"])
            row["embedded_texts"] = texts
            row["index_mib"] = bench.dir_mib(tmp / "data")
            row |= fresh_process_latency(tmp)
            row["server_peak_rss_mib"] = bench.server_peak_rss(tmp)
            row["reingest_one_edit_s"] = reingest_after_edit(tmp)
            rows[str(n)] = row
            print(f"{n}: {json.dumps({k: round(v, 1) for k, v in row.items()})}", flush=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    result = {"rates": rates, "sizes": rows}
    out = ROOT / "evals" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_scale.json").write_text(json.dumps(result, indent=2))
    print_table(result)
    plot(result, out / "scale.png")


def print_table(r: dict) -> None:
    rates = r["rates"]
    print(f"\nmeasured on a sample: embedding {rates['embed_chunks_per_s']:.0f} chunks/s and "
          f"{rates['embed_sentences_per_s']:.0f} sentences/s, segmentation {rates['segment_sentences_per_s']:.0f} "
          "sentences/s\n")
    print("| chunks | sources | cold ingest, est. (min) | write (s) | re-ingest, one edit (s) | index (MiB) | "
          "server RSS (MiB) | search p50/p95 (ms) | filtered p50/p95 (ms) | answer p50/p95 (ms) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in r["sizes"].values():
        print(f"| {row['chunks']} | {row['sources']} | {row['cold_ingest_estimate_s'] / 60:.0f} | "
              f"{row['write_s']:.0f} | {row['reingest_one_edit_s']:.0f} | {row['index_mib']:.0f} | "
              f"{row['server_peak_rss_mib']:.0f} | {row['search_p50']:.0f} / {row['search_p95']:.0f} | "
              f"{row['filtered_p50']:.0f} / {row['filtered_p95']:.0f} | {row['answer_p50']:.0f} / "
              f"{row['answer_p95']:.0f} |")
    big = r["sizes"][str(max(SIZES))]
    print(f"\ntargets at {max(SIZES)} chunks: search p50 {big['search_p50']:.0f} ms (<= 100), p95 "
          f"{big['search_p95']:.0f} ms (<= 250), filtered p50 {big['filtered_p50']:.0f} ms (<= 150), server RSS "
          f"{big['server_peak_rss_mib'] / 1024:.2f} GiB (<= 3), re-ingest after one edit "
          f"{100 * big['reingest_one_edit_s'] / big['cold_ingest_estimate_s']:.1f}% of a cold ingest (<= 10%)")


def plot(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    points = []
    small = ROOT / "evals" / "out" / "bench.json"
    if small.exists():  # the 1x/10x/50x pack figures of evals/bench.py (real embeddings)
        for row in json.loads(small.read_text())["scaling"].values():
            points.append((row["chunks"], row["search_p50"], None, row.get("server_peak_rss_mib")))
    for row in r["sizes"].values():
        points.append((row["chunks"], row["search_p50"], row["filtered_p50"], row["server_peak_rss_mib"]))
    points.sort()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot([p[0] for p in points], [p[1] for p in points], "o-", label="search p50")
    left.plot([p[0] for p in points if p[2]], [p[2] for p in points if p[2]], "s--", label=f"filtered ({FILTERS})")
    left.set(xscale="log", xlabel="chunks", ylabel="ms", title="warm query latency")
    left.legend()
    right.plot([p[0] for p in points if p[3]], [p[3] for p in points if p[3]], "o-")
    right.set(xscale="log", xlabel="chunks", ylabel="MiB", title="rag serve peak RSS")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    main()
