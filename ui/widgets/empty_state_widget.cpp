#include "ui/widgets/empty_state_widget.h"

#include <QAction>
#include <QHBoxLayout>
#include <QLabel>
#include <QPalette>
#include <QPushButton>
#include <QVBoxLayout>

namespace understudy::ui {

EmptyStateWidget::EmptyStateWidget(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_text(new QLabel(this)),
      m_buttons(new QHBoxLayout) {
  // Greyed, but darker than disabled text so that the explanation stays readable.
  const QColor text = palette().color(QPalette::WindowText);
  const QColor window = palette().color(QPalette::Window);
  auto blend = [&](double t) {
    return QColor::fromRgbF(text.redF() * t + window.redF() * (1 - t),
                            text.greenF() * t + window.greenF() * (1 - t),
                            text.blueF() * t + window.blueF() * (1 - t));
  };
  QPalette titlePalette = palette();
  titlePalette.setColor(QPalette::WindowText, blend(0.6));
  QPalette textPalette = palette();
  textPalette.setColor(QPalette::WindowText, blend(0.5));

  QFont titleFont = font();
  titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
  m_title->setFont(titleFont);
  m_title->setPalette(titlePalette);
  m_title->setAlignment(Qt::AlignCenter);
  m_title->setWordWrap(true);

  m_text->setPalette(textPalette);
  m_text->setAlignment(Qt::AlignCenter);
  m_text->setWordWrap(true);
  m_text->setTextFormat(Qt::RichText);
  m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_text->setMinimumWidth(260);
  m_text->setMaximumWidth(540);
  m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);

  m_buttons->addStretch();
  m_buttons->addStretch();

  // Stretches rather than layout alignment: an aligned word-wrapped label loses
  // its height-for-width and gets cut to one line.
  auto* textRow = new QHBoxLayout;
  textRow->addStretch(1);
  textRow->addWidget(m_text, 4);
  textRow->addStretch(1);

  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(24, 24, 24, 24);
  layout->setSpacing(12);
  layout->addStretch(2);
  layout->addWidget(m_title);
  layout->addLayout(textRow);
  layout->addSpacing(6);
  layout->addLayout(m_buttons);
  layout->addStretch(3);
}

void EmptyStateWidget::setTitle(const QString& title) {
  m_title->setText(title);
  m_title->setVisible(!title.isEmpty());
}

void EmptyStateWidget::setText(const QString& text) {
  m_plainText = text;
  // `commands` in the text are shown in a monospace font.
  const QStringList parts = text.split(QLatin1Char('`'));
  QString html;
  for (int i = 0; i < parts.size(); ++i) {
    const QString escaped = parts[i].toHtmlEscaped();
    html += (i % 2 == 1) ? QStringLiteral("<code>%1</code>").arg(escaped) : escaped;
  }
  m_text->setText(html);
}

QString EmptyStateWidget::title() const { return m_title->text(); }

QString EmptyStateWidget::text() const { return m_plainText; }

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
