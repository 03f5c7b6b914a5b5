variable "plain_heredoc" {
  description = <<EOT
First line of a plain heredoc.
  Indented line keeps its spaces.
Backslashes stay as written: \n \t \\ and quotes " too.
Escaped template markers: $${not_interpolated} and %%{not_a_directive}.
EOT
  type = string
  default = <<EOT
EOT
}

variable "flush_heredoc" {
  description = <<-EOT
    The flush form removes the smallest common indentation.
      This line keeps two extra spaces.

    A blank line above stays blank. {{UIMeta group=1 order=3 }}
    EOT
  type    = string
  default = <<-EOT
	tab indented
	  tab plus two spaces
	EOT
}

variable "flush_with_whitespace_only_line" {
  description = <<-DESC
        eight spaces
    
      six spaces (the blank line above has four spaces and is not counted)
    DESC
  default = "x"
}

variable "heredoc_with_interpolation_first" {
  description = <<-EOT
${"column zero"} interpolation: a line starting with an interpolation has no indentation,
      so no line loses any; ${1.50} and ${true} and ${null} fold into the text
    EOT
  type = string
}

variable "heredoc_with_indented_interpolation" {
  description = <<-EOT
    ${"indented"} interpolation counts its leading spaces
      so this line keeps two; ${var.not_folded} stays
    EOT
  default = ["a", <<EOT
inside a list
EOT
  , "b"]
}

variable "heredoc_marker_lookalikes" {
  description = <<END_OF_TEXT
END_OF_TEXT_NOT
  END_OF_TEXT is only the end when alone on its line
END_OF_TEXTX
END_OF_TEXT
  type = string
}

variable "script" {
  description = "A startup script. {{UIMeta group=0 order=5 }}"
  type        = string
  default     = <<-EOT
    #!/bin/bash
    set -euo pipefail
    TARGET_DB_HOST="$${DB_IP:-$${DB_HOST}}"
    echo "Progress: 50% done"
    if [ -z "$${DB_HOST}" ]; then
      echo "no host" >&2
    fi
  EOT
}
