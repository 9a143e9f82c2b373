from setuptools import setup

setup(name='tool', install_requires=open('requirements.txt').read().split())
