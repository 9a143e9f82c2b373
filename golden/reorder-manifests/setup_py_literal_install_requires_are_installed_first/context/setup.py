from setuptools import setup

REQUIRES = ['click>=8', 'rich']

setup(name='tool', install_requires=REQUIRES)
