"""The local web app (`ccp serve`): the panel's work in a browser, over the same library.

Owns pages, uploads and downloads, and the safety of a server on the user's own machine;
every rule stays in the library below (this package only calls it). Nothing imports it
but the command line.
"""
