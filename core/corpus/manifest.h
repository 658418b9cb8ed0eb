// NeMo-style JSONL manifests (docs/corpus.md): one JSON object per line with
// `audio_filepath` (absolute, or relative to the manifest's folder),
// `duration` (s), `text` and optional `offset` (s). Every other key is kept
// as the utterance's metadata.
//
//   ParsedSource src = readManifest("train_manifest.jsonl");
//
// Utterance keys: the line's `utt_id` or `id` if it is a string, else the
// audio file's stem (plus "-<offset in ms>" when an offset is given); a key
// taken already gets "-L<line>" appended; whitespace in a key becomes '_'.
// Lines that are not JSON objects, or lack `audio_filepath`, are reported
// with their line number and skipped; wrong field types make the utterance
// 'skipped' with the reason. Only an unreadable manifest throws.
#pragma once

#include <filesystem>

#include "core/corpus/source_utterance.h"

namespace understudy::corpus {

ParsedSource readManifest(const std::filesystem::path& file);

}  // namespace understudy::corpus
