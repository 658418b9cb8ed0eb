#include "ui/widgets/empty_state_widget.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QPalette>
#include <QPushButton>
#include <QVBoxLayout>

namespace understudy::ui {

EmptyStateWidget::EmptyStateWidget(QWidget* parent)
    : QWidget(parent), m_title(new QLabel(this)), m_text(new QLabel(this)),
      m_buttons(new QHBoxLayout) {
  QPalette greyed = palette();
  greyed.setColor(QPalette::WindowText, palette().color(QPalette::Disabled, QPalette::WindowText));

  QFont titleFont = font();
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
  m_title->setFont(titleFont);
  m_title->setPalette(greyed);
  m_title->setAlignment(Qt::AlignCenter);
  m_title->setWordWrap(true);

  m_text->setPalette(greyed);
  m_text->setAlignment(Qt::AlignCenter);
  m_text->setWordWrap(true);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_text->setMaximumWidth(520);

  m_buttons->addStretch();
  m_buttons->addStretch();

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(24, 24, 24, 24);
  layout->setSpacing(12);
  layout->addStretch(2);
  layout->addWidget(m_title);
  layout->addWidget(m_text, 0, Qt::AlignHCenter);
  layout->addLayout(m_buttons);
  layout->addStretch(3);
}

void EmptyStateWidget::setTitle(const QString& title) {
  m_title->setText(title);
  m_title->setVisible(!title.isEmpty());
}

void EmptyStateWidget::setText(const QString& text) { m_text->setText(text); }

QString EmptyStateWidget::title() const { return m_title->text(); }

QString EmptyStateWidget::text() const { return m_text->text(); }

void EmptyStateWidget::addActionButton(QAction* action) {
  auto* button = new QPushButton(action->icon(), action->text(), this);
  button->setEnabled(action->isEnabled());
  connect(button, &QPushButton::clicked, action, &QAction::trigger);
  connect(action, &QAction::changed, button, [button, action] {
    button->setText(action->text());
    button->setEnabled(action->isEnabled());
  });
  // Keep the trailing stretch last so the buttons stay centred.
  m_buttons->insertWidget(m_buttons->count() - 1, button);
}

}  // namespace understudy::ui
