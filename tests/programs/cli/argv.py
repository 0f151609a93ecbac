"""What python3 gives a script: its arguments, its __file__ and sys.path[0]."""
import os
import sys

print("argv", sys.argv[1:])
print("argv0", sys.argv[0])
print("file", __file__)
print("path0", sys.path[0])
print("cwd", os.getcwd())
