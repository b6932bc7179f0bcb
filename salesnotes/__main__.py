from salesnotes.cli import main

main()
