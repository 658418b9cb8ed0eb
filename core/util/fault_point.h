#pragma once
// Placeholder: filled in by issue 26's work.
