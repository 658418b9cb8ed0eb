// Placeholder: filled in by the graph work (issue 20).
namespace understudy::decode {}
