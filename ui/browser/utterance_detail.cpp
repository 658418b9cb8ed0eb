#include "ui/browser/utterance_detail.h"

namespace understudy::ui {

struct UtteranceDetail::Private {
  QString workspacePath;
  qint64 utteranceId = -1;
};

UtteranceDetail::UtteranceDetail(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {}
UtteranceDetail::~UtteranceDetail() = default;

bool UtteranceDetail::setWorkspacePath(const QString& path) {
  d->workspacePath = path;
  return true;
}
QString UtteranceDetail::workspacePath() const { return d->workspacePath; }
void UtteranceDetail::showUtterance(qint64 utteranceId, qint64) { d->utteranceId = utteranceId; }
void UtteranceDetail::clear() { d->utteranceId = -1; }
void UtteranceDetail::refresh() {}
qint64 UtteranceDetail::utteranceId() const { return d->utteranceId; }
bool UtteranceDetail::isLoading() const { return false; }

}  // namespace understudy::ui
