// Placeholder: filled in by the ngram_lm work (issue 20).
namespace understudy::decode {}
