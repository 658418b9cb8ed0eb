#include "ui/main/workspace_status_bar.h"

#include <QDir>
#include <QLabel>
#include <QLocale>

#include "ui/workspace/workspace_session.h"

namespace understudy::ui {

WorkspaceStatusBar::WorkspaceStatusBar(QWidget* parent)
    : QStatusBar(parent),
      m_path(new QLabel(this)),
      m_schema(new QLabel(this)),
      m_counts(new QLabel(this)) {
  m_path->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_path->setMinimumWidth(120);
  for (QLabel* label : {m_path, m_counts, m_schema}) label->setContentsMargins(6, 0, 6, 0);
  addWidget(m_path, 1);
  addPermanentWidget(m_counts);
  addPermanentWidget(m_schema);
}

void WorkspaceStatusBar::showSession(const WorkspaceSession& session) {
  if (!session.isOpen()) {
    m_path->setText(tr("No workspace open"));
    m_path->setToolTip({});
    m_schema->clear();
    m_counts->clear();
    m_schema->hide();
    m_counts->hide();
    return;
  }
  const QString path = QDir::toNativeSeparators(session.rootPath());
  if (session.lastError().isEmpty()) {
    m_path->setText(path);
    m_path->setToolTip(path);
  } else {
    m_path->setText(tr("%1 — %2").arg(path, session.lastError()));
    m_path->setToolTip(session.lastError());
  }
  m_schema->setText(tr("schema v%1").arg(session.schemaVersion()));
  const WorkspaceCounts& c = session.counts();
  const QLocale locale;
  m_counts->setText(tr("Datasets: %1 · Models: %2 · Runs: %3 · Nodes: %4")
                        .arg(locale.toString(c.datasets), locale.toString(c.models),
                             locale.toString(c.runs), locale.toString(c.nodes)));
  m_schema->show();
  m_counts->show();
}

QString WorkspaceStatusBar::pathText() const { return m_path->text(); }

QString WorkspaceStatusBar::schemaText() const { return m_schema->text(); }

QString WorkspaceStatusBar::countsText() const { return m_counts->text(); }

}  // namespace understudy::ui
