"""Write the replica-symmetric derivation of the Hopfield model (AGS 1987) as a LaTeX document.

Every equation in the output comes from statmech_nn's replica engine.

Usage: python derivations/hopfield_ags.py [--out DIR] [--pdf]
"""
import argparse
import os
import shutil
import subprocess
import sys

import statmech_nn as snn
from statmech_nn.export import write_derivation


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=".", help="output directory (default: current)")
    parser.add_argument("--pdf", action="store_true", help="also run pdflatex on the result")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)     # the folder asked for on the command line
    path = write_derivation(snn.model("hopfield"), os.path.join(args.out, "hopfield_ags.tex"))
    print(f"wrote {path}")
    if args.pdf:
        if shutil.which("pdflatex") is None:
            sys.exit("pdflatex not found: install texlive-latex-base (Debian) or drop --pdf")
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                        os.path.basename(path)], cwd=os.path.dirname(path), check=True,
                       stdout=subprocess.DEVNULL)
        print(f"wrote {path[:-4]}.pdf")
    return path


if __name__ == "__main__":
    main()
