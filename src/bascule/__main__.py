from bascule.cli.app import main

main()
