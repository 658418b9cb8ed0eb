// Placeholder: filled in by the lexicon work (issue 20).
namespace understudy::decode {}
