// A calm "nothing here yet" panel: a title, a greyed explanation of how to fill
// the view, and optional buttons (e.g. New workspace…, Open workspace…).
#pragma once

#include <QWidget>

class QAction;
class QHBoxLayout;
class QLabel;

namespace understudy::ui {

class EmptyStateWidget : public QWidget {
  Q_OBJECT

 public:
  explicit EmptyStateWidget(QWidget* parent = nullptr);

  void setTitle(const QString& title);
  // Plain text; `backquoted` parts (commands) are shown in a monospace font.
  void setText(const QString& text);
  QString title() const;
  QString text() const;
  // A push button that triggers `action` and follows its text and enabled state.
  void addActionButton(QAction* action);

 private:
  QLabel* m_title;
  QLabel* m_text;
  QHBoxLayout* m_buttons;
  QString m_plainText;
};

}  // namespace understudy::ui
